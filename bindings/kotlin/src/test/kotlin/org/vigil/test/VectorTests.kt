/**
 * The golden vectors (`tests/vectors/`) replayed through the Kotlin binding: each input line is
 * parsed with Gson and turned into a `Message` record by hand — or, when the line is in a
 * platform's own shape (integer ids, epoch numbers, ages as digits, band words Vigil does not
 * know), read by the core's lenient reader (`parseMessage`) — observed, and the observation is
 * checked against the expected line twice: the core's JSON (`Observation.json`) exactly, and every
 * field of the returned records (numbers within the core's 3-decimal rounding), `platform`
 * included. `observeJson` on a second tracker must give the same lines.
 */
package org.vigil.test

import com.google.gson.JsonArray
import com.google.gson.JsonElement
import com.google.gson.JsonNull
import com.google.gson.JsonObject
import com.google.gson.JsonParser
import com.google.gson.JsonPrimitive
import java.io.File
import kotlin.math.abs
import java.nio.ByteBuffer
import java.nio.ByteOrder
import org.vigil.ffi.AgeBand
import org.vigil.ffi.BatchOptions
import org.vigil.ffi.Utf8ColumnBuffers
import org.vigil.ffi.VigilException
import org.vigil.ffi.CaseConversation
import org.vigil.ffi.Engine
import org.vigil.ffi.EscalatedIndicator
import org.vigil.ffi.Escalation
import org.vigil.ffi.Intervention
import org.vigil.ffi.InterventionAction
import org.vigil.ffi.EscalationScope
import org.vigil.ffi.LanguageShare
import org.vigil.ffi.Message
import org.vigil.ffi.Observation
import org.vigil.ffi.Participant
import org.vigil.ffi.ParticipantRef
import org.vigil.ffi.PolicyBuilder
import org.vigil.ffi.Span
import org.vigil.ffi.Tracker
import org.vigil.ffi.PlatformMetadata
import org.vigil.ffi.PlatformWord
import org.vigil.ffi.formatTimestamp
import org.vigil.ffi.parseMessage
import org.vigil.ffi.parseTimestamp

/** An engine for a vector's layers: "shipped" or a file in tests/vectors/, loaded under its name. */
fun vectorEngine(layers: JsonArray): Engine =
    PolicyBuilder().use { b ->
        for (layer in layers) {
            val name = layer.asString
            if (name == "shipped") {
                b.addShipped().close()
            } else {
                b.addSource(name, File(vectorsDir, name).readText()).close()
            }
        }
        b.build().use { Engine(it) }
    }

/** A string member, `""` when absent or null; null when it is there but not a string. */
private fun word(o: JsonObject, key: String): String? {
    val v = o.get(key)
    if (v == null || v.isJsonNull) return ""
    return if (v.isJsonPrimitive && v.asJsonPrimitive.isString) v.asString else null
}

/** A whole number member: null when absent or null; a failure when it is not a whole number. */
private fun whole(o: JsonObject, key: String): Result<UInt?> {
    val v = o.get(key)
    if (v == null || v.isJsonNull) return Result.success(null)
    val p = v.takeIf { it.isJsonPrimitive }?.asJsonPrimitive?.takeIf { it.isNumber }
        ?: return Result.failure(IllegalArgumentException(key))
    val d = p.asDouble
    if (d < 0 || d != Math.floor(d) || d > UInt.MAX_VALUE.toDouble()) return Result.failure(IllegalArgumentException(key))
    return Result.success(d.toLong().toUInt())
}

/** A participant built by hand when in the canonical shape (string id, band by name, whole ages). */
private fun participant(o: JsonObject): Participant? {
    val id = o.get("id")?.takeIf { it.isJsonPrimitive && it.asJsonPrimitive.isString }?.asString ?: return null
    val band = when (word(o, "age_band")) {
        "", "unknown" -> AgeBand.UNKNOWN
        "minor" -> AgeBand.MINOR
        "adult" -> AgeBand.ADULT
        else -> return null
    }
    val age = whole(o, "age").getOrElse { return null }
    val days = whole(o, "account_age_days").getOrElse { return null }
    return Participant(id = id, ageBand = band, age = age, accountAgeDays = days)
}

/**
 * A `Message` record built by hand from one input line (not through the core's JSON reader) when
 * the line is in the canonical shape: string ids, a text timestamp (read by `parseTimestamp`),
 * bands by name, whole ages; the channel and relationship words pass as written, whatever they
 * are. Null for a line in a platform's own shape.
 */
fun messageOf(o: JsonObject): Message? {
    fun id(key: String) = o.get(key)?.takeIf { it.isJsonPrimitive && it.asJsonPrimitive.isString }?.asString
    val ts = o.get("timestamp")?.takeIf { it.isJsonPrimitive && it.asJsonPrimitive.isString }?.asString ?: return null
    val recipient = o.get("recipient")?.takeUnless { it.isJsonNull }?.let { participant(it.asJsonObject) ?: return null }
    return Message(
        conversationId = id("conversation_id") ?: return null,
        messageId = id("message_id") ?: return null,
        timestampMs = parseTimestamp(ts),
        sender = participant(o.getAsJsonObject("sender")) ?: return null,
        recipient = recipient,
        channel = word(o, "channel") ?: return null,
        relationship = word(o, "relationship") ?: return null,
        text = id("text") ?: return null,
    )
}

private fun obj(vararg pairs: Pair<String, JsonElement>) = JsonObject().apply { pairs.forEach { add(it.first, it.second) } }
private fun s(v: String?): JsonElement = v?.let { JsonPrimitive(it) } ?: JsonNull.INSTANCE
private fun n(v: Number): JsonElement = JsonPrimitive(v)
private fun b(v: Boolean): JsonElement = JsonPrimitive(v)
private fun ts(ms: Long): JsonElement = JsonPrimitive(formatTimestamp(ms))
private fun <T> arr(items: List<T>, f: (T) -> JsonElement) = JsonArray().apply { items.forEach { add(f(it)) } }
private fun name(e: Enum<*>?): JsonElement = s(e?.name?.lowercase())
private fun span(sp: Span) = obj("start" to n(sp.start.toLong()), "end" to n(sp.end.toLong()))

/** The records of an observation, in the shape of the core's JSON. */
fun observationValue(o: Observation): JsonObject {
    val a = o.assessment
    val assessment = obj(
        "score" to n(a.score), "base_score" to n(a.baseScore),
        "hits" to arr(a.hits) {
            obj("rule" to s(it.rule), "category" to s(it.category), "kind" to name(it.kind),
                "weight" to n(it.weight), "span" to span(it.span)).also { h -> it.evasion?.let { e -> h.add("evasion", s(e)) } }
        },
        "categories" to arr(a.categories) { obj("category" to s(it.category), "stage" to s(it.stage), "score" to n(it.score)) },
        "modifiers" to arr(a.modifiers) { obj("id" to s(it.id), "factor" to n(it.factor)) },
        "discloses_minor" to b(a.disclosesMinor), "truncated" to b(a.truncated),
    )
    a.forcedLevel?.let { assessment.add("forced_level", name(it)) }
    val value = obj(
        "conversation_id" to s(o.conversationId), "message_id" to s(o.messageId), "timestamp" to ts(o.timestampMs),
        "sender" to s(o.sender), "recipient" to s(o.recipient), "assessment" to assessment, "risk" to n(o.risk),
        "level" to name(o.level), "stages" to arr(o.stages) { s(it) }, "out_of_order" to b(o.outOfOrder),
        "escalation" to (o.escalation?.let { escalationValue(it) } ?: JsonNull.INSTANCE),
    )
    o.intervention?.let { value.add("intervention", interventionValue(it)) }
    o.recipientEscalation?.let { value.add("recipient_escalation", escalationValue(it)) }
    o.senderEscalation?.let { value.add("sender_escalation", escalationValue(it)) }
    o.caseContact?.let { value.add("case_contact", JsonParser.parseString(it)) }
    o.cappedBy?.let { value.add("capped_by", s(it)) }
    o.platform?.let { value.add("platform", platformValue(it)) }
    o.language?.let { l ->
        val lang = obj("conversation" to arr(l.conversation) { share(it) })
        l.message?.let { lang.add("message", share(it)) }
        l.packs?.let { p -> lang.add("packs", arr(p) { s(it) }) }
        if (l.outOfScope.isNotEmpty()) lang.add("out_of_scope", arr(l.outOfScope) { s(it) })
        value.add("language", lang)
    }
    return value
}

/** An intervention record, in the shape of the core's JSON (absent members left out). */
fun interventionValue(i: Intervention): JsonObject = obj(
    "action" to name(i.action), "id" to s(i.id), "categories" to arr(i.categories) { s(it) },
    "spans" to arr(i.spans) { span(it) },
).also { v ->
    i.reason?.let { v.add("reason", s(it)) }
    i.notice?.let { v.add("notice", obj("id" to s(it.id), "language" to s(it.language), "text" to s(it.text))) }
    i.maskedText?.let { v.add("masked_text", s(it)) }
}

private fun platformWord(w: PlatformWord) = obj("word" to s(w.word), "kind" to s(w.kind), "mapped" to b(w.mapped))

/** The platform's words, in the shape of the core's JSON (absent members left out). */
fun platformValue(p: PlatformMetadata) = JsonObject().apply {
    p.channel?.let { add("channel", platformWord(it)) }
    p.relationship?.let { add("relationship", platformWord(it)) }
}

private fun share(x: LanguageShare) = obj("language" to s(x.language), "share" to n(x.share))

private fun participantRef(p: ParticipantRef?): JsonElement =
    p?.let { obj("id" to s(it.id), "age_band" to name(it.ageBand), "probable_minor" to b(it.probableMinor)) } ?: JsonNull.INSTANCE

/** The records of an escalation, in the shape of the `vigil.escalation/1` document. */
fun escalationValue(e: Escalation): JsonObject = obj(
    "schema" to s(e.schema), "conversation_id" to s(e.conversationId), "sequence" to n(e.sequence.toLong()),
    "level" to name(e.level), "previous_level" to name(e.previousLevel), "message_id" to s(e.messageId),
    "raised_at" to ts(e.raisedAtMs),
    "participants" to obj("sender" to participantRef(e.participants.sender), "recipient" to participantRef(e.participants.recipient)),
    "channel" to name(e.channel), "relationship" to name(e.relationship), "risk" to n(e.risk),
    "categories" to arr(e.categories) { obj("id" to s(it.id), "stage" to s(it.stage), "score" to n(it.score), "summary" to s(it.summary)) },
    "reasons" to arr(e.reasons) { s(it) },
    "evidence" to arr(e.evidence) { v ->
        obj("message_id" to s(v.messageId), "timestamp" to ts(v.timestampMs), "rule" to s(v.rule),
            "category" to s(v.category), "span" to span(v.span)).also { o ->
            v.excerpt?.let { o.add("excerpt", s(it)) }
            v.sender?.let { o.add("sender", s(it)) }
            v.conversationId?.let { o.add("conversation_id", s(it)) }
        }
    },
    "timeline" to arr(e.timeline) { t ->
        obj("stage" to s(t.stage), "first_message_id" to s(t.firstMessageId),
            "first_seen" to ts(t.firstSeenMs), "last_seen" to ts(t.lastSeenMs)).also { o ->
            t.conversationId?.let { o.add("conversation_id", s(it)) }
        }
    },
    "modifiers" to arr(e.modifiers) { s(it) },
    "policy" to obj("id" to s(e.policy.id), "version" to s(e.policy.version), "hash" to s(e.policy.hash)),
    "recommended_action" to s(e.recommendedAction),
    "report_hints" to obj("incident_types" to arr(e.reportHints.incidentTypes) { s(it) },
        "annotations" to arr(e.reportHints.annotations) { s(it) }).also { h ->
        if (e.reportHints.indicators.isNotEmpty()) {
            h.add("indicators", arr(e.reportHints.indicators) { obj("field" to s(it.field), "kind" to name(it.kind), "value" to s(it.value)) })
        }
    },
).also { v ->
    if (e.language.isNotEmpty()) v.add("language", arr(e.language) { share(it) })
    e.platform?.let { v.add("platform", platformValue(it)) }
    if (e.indicators.isNotEmpty()) v.add("indicators", arr(e.indicators) { indicatorValue(it) })
    if (e.scope != EscalationScope.CONVERSATION) v.add("scope", name(e.scope))
    e.case?.let { v.add("case", s(it)) }
    if (e.conversations.isNotEmpty()) v.add("conversations", arr(e.conversations) { caseConversationValue(it) })
}

/** A conversation of a sender case, in the shape of the document's `conversations` items. */
fun caseConversationValue(c: CaseConversation): JsonObject =
    obj("conversation_id" to s(c.conversationId), "minor" to b(c.minor), "level" to name(c.level),
        "points" to n(c.points), "risk" to n(c.risk), "categories" to arr(c.categories) { s(it) },
        "first_message_id" to s(c.firstMessageId), "first_seen" to ts(c.firstSeenMs),
        "last_message_id" to s(c.lastMessageId), "last_seen" to ts(c.lastSeenMs),
        "messages" to n(c.messages.toLong())).also { o -> c.recipient?.let { o.add("recipient", s(it)) } }

/** An indicator record, in the shape of the document's `indicators` items (absent members left out). */
fun indicatorValue(i: EscalatedIndicator): JsonObject =
    obj("kind" to name(i.kind), "value" to s(i.value), "message_id" to s(i.messageId), "span" to span(i.span),
        "count" to n(i.count.toLong())).also { o ->
        i.detail?.let { o.add("detail", s(it)) }
        i.checked?.let { o.add("checked", b(it)) }
    }

/** Null when equal as JSON (numbers within 0.0005), else where they differ. */
fun difference(path: String, got: JsonElement, want: JsonElement): String? {
    if (got is JsonPrimitive && want is JsonPrimitive && got.isNumber && want.isNumber) {
        return if (abs(got.asDouble - want.asDouble) <= 5e-4 + 1e-9) null else "$path: $got != $want"
    }
    if (got is JsonArray && want is JsonArray) {
        if (got.size() != want.size()) return "$path: ${got.size()} items != ${want.size()}"
        for (i in 0 until got.size()) difference("$path[$i]", got[i], want[i])?.let { return it }
        return null
    }
    if (got is JsonObject && want is JsonObject) {
        if (got.keySet() != want.keySet()) return "$path: keys ${got.keySet().sorted()} != ${want.keySet().sorted()}"
        for (k in want.keySet()) difference("$path.$k", got.get(k), want.get(k))?.let { return it }
        return null
    }
    return if (got == want) null else "$path: $got != $want"
}

/** The vectors' input lines and expected observations. */
fun vectorLines(name: String): Pair<List<String>, List<JsonElement>> {
    val input = File(vectorsDir, "$name.input.jsonl").readLines().filter { it.isNotBlank() }
    val expected = File(vectorsDir, "$name.expected.jsonl").readLines().filter { it.isNotBlank() }.map { JsonParser.parseString(it) }
    assertEquals(input.size, expected.size, "$name: number of observations")
    return input to expected
}

/**
 * The senders vector in two stages, as a batch job runs it: a tracker made `withCaseContacts`
 * observes every message (`observeJsonStaged`; the records of a second one carry the same
 * contacts), then a fresh tracker fed the contacts in order (`observeContactJson`) raises exactly
 * the vector's sender escalations, where one tracker saw everything.
 */
fun twoStageCase() = Case("senders vector in two stages") {
    val (inputs, expected) = vectorLines("senders")
    val want = expected.mapNotNull { it.asJsonObject.get("sender_escalation")?.takeUnless { e -> e.isJsonNull } }
    check(want.size > 1) { "the vector raises sender escalations" }
    Engine.shipped().use { engine ->
        val contacts = mutableListOf<String>()
        Tracker.withCaseContacts(engine).use { staged ->
            Tracker.withCaseContacts(engine).use { records ->
                for ((i, line) in inputs.withIndex()) {
                    val st = staged.observeJsonStaged(line)
                    val o = records.observe(parseMessage(line))
                    val documents = listOfNotNull(o.escalation, o.recipientEscalation, o.senderEscalation).map { JsonParser.parseString(it.json) }
                    assertEquals(documents, st.escalations.map { JsonParser.parseString(it) }, "message ${i + 1}: escalations")
                    val lineWant = expected[i].asJsonObject
                    val oneTracker = listOf("escalation", "recipient_escalation", "sender_escalation")
                        .mapNotNull { k -> lineWant.get(k)?.takeUnless { it.isJsonNull } }
                    assertEquals(oneTracker, documents, "message ${i + 1}: as one tracker")
                    assertEquals(o.caseContact, st.caseContact, "message ${i + 1}: contact")
                    st.caseContact?.let { contacts.add(it) }
                }
            }
        }
        check(contacts.isNotEmpty()) { "no case contact" }
        Tracker(engine).use { second ->
            val got = contacts.mapNotNull { second.observeContactJson(it) }.map { JsonParser.parseString(it) }
            assertEquals(want, got, "sender escalations of the second stage")
            assertThrows<org.vigil.ffi.VigilException.Contact> { second.observeContactJson("{}") }
        }
    }
}

/** What an app delivers in the message path: the text, the masked text, or nothing yet (held). */
fun deliver(o: Observation, text: String): String? {
    val i = o.intervention ?: return text
    return when (i.action) {
        InterventionAction.MASK -> i.maskedText
        InterventionAction.HOLD -> null
        InterventionAction.NUDGE_RECIPIENT, InterventionAction.NUDGE_SENDER -> text
    }
}

/**
 * The interventions vector as an app uses it before delivering a message: line 8 is delivered
 * masked, line 9 held for review, and the nudges show their notice in the child's language
 * (English, then German).
 */
fun messagePathCase() = Case("interventions vector in the message path") {
    val (inputs, _) = vectorLines("interventions")
    val layers = JsonArray().apply { add("shipped"); add("interventions.toml") }
    vectorEngine(layers).use { engine ->
        Tracker(engine).use { tracker ->
            val observations = inputs.map { tracker.observe(parseMessage(it)) }
            val masked = observations[7].intervention ?: throw AssertionError("line 8 is masked")
            assertEquals(InterventionAction.MASK, masked.action, "line 8: action")
            assertEquals("my snap is \u2022\u2022\u2022 or text \u2022\u2022\u2022", masked.maskedText, "line 8: masked text")
            assertEquals(2, masked.spans.size, "line 8: masked spans")
            assertEquals("my snap is ••• or text •••", deliver(observations[7], "unused"), "line 8: delivered")
            val held = observations[8].intervention ?: throw AssertionError("line 9 is held")
            assertEquals(InterventionAction.HOLD, held.action, "line 9: action")
            assertEquals("hold-coercion", held.id, "line 9: id")
            check(held.maskedText == null && held.notice == null) { "line 9: a hold shows nothing" }
            assertEquals(null, deliver(observations[8], "unused"), "line 9: delivered")
            val languages = observations.mapNotNull { it.intervention }
                .filter { it.action == InterventionAction.NUDGE_RECIPIENT }
                .map { it.notice?.language ?: throw AssertionError("a nudge shows a notice") }
            check("en" in languages && "de" in languages) { "notice languages: $languages" }
            check(observations.last().intervention == null) { "adults: delivered as they are" }
        }
    }
}

/** Arrow-layout buffers of a utf8 column of these values (no nulls). */
fun utf8Column(name: String, values: List<String>): Utf8ColumnBuffers {
    val bytes = values.map { it.toByteArray(Charsets.UTF_8) }
    val offsets = ByteBuffer.allocate(4 * (values.size + 1)).order(ByteOrder.LITTLE_ENDIAN)
    var end = 0
    offsets.putInt(end)
    for (b in bytes) {
        end += b.size
        offsets.putInt(end)
    }
    val data = ByteArray(end)
    var at = 0
    for (b in bytes) {
        b.copyInto(data, at)
        at += b.size
    }
    return Utf8ColumnBuffers(name = name, offsets = offsets.array(), data = data, len = values.size.toULong())
}

/** Every escalation of observations, as (row, document), in the order `vigil scan` prints them. */
private fun raised(observations: List<Observation>): List<Pair<Long, JsonElement>> =
    observations.withIndex().flatMap { (i, o) ->
        listOfNotNull(o.escalation, o.recipientEscalation, o.senderEscalation).map { i.toLong() to JsonParser.parseString(it.json) }
    }

/**
 * A vector replayed in one call each way — `observeBatch` (records), `observeBatchEscalations`,
 * `observeJsonBatch` (JSON lines) and `observeColumns` (an Arrow-layout `json` column) — against
 * the same vector observed message by message: the same observations, escalations and per-row
 * columns (levels, risks, escalation counts, actions).
 */
fun batchCase(name: String, layers: JsonArray) = Case("vector $name in one batch call") {
    val (inputs, expected) = vectorLines(name)
    vectorEngine(layers).use { engine ->
        val records = inputs.map { parseMessage(it) }
        val single = Tracker(engine).use { t -> records.map { t.observe(it) } }
        val singleJson = Tracker(engine).use { t -> inputs.map { t.observeJson(it) } }
        assertEquals(expected, singleJson.map { JsonParser.parseString(it) }, "$name: one by one")
        val batch = Tracker(engine).use { it.observeBatch(records) }
        assertEquals(single, batch, "$name: observeBatch")
        val escalations = Tracker(engine).use { it.observeBatchEscalations(records) }
            .map { it.row.toLong() to JsonParser.parseString(it.json) }
        assertEquals(raised(single), escalations, "$name: observeBatchEscalations")
        val options = BatchOptions(observationJson = true)
        val fromLines = Tracker(engine).use { it.observeJsonBatch(inputs, options) }
        val fromColumns = Tracker(engine).use {
            it.observeColumns(inputs.size.toULong(), listOf(utf8Column("json", inputs)), listOf(), options)
        }
        for ((how, out) in listOf("observeJsonBatch" to fromLines, "observeColumns" to fromColumns)) {
            assertEquals(singleJson, out.observations, "$name: $how observations")
            assertEquals(inputs.size.toULong(), out.messages, "$name: $how messages")
            check(out.errors.isEmpty()) { "$name: $how: ${out.errors}" }
            assertEquals(raised(single), out.escalations.map { it.row.toLong() to JsonParser.parseString(it.json) }, "$name: $how escalations")
            val risks = ByteBuffer.wrap(out.risks).order(ByteOrder.LITTLE_ENDIAN)
            for ((i, o) in single.withIndex()) {
                assertEquals(o.risk, risks.getDouble(i * 8), "$name: $how risk ${i + 1}")
                assertEquals(o.level?.let { it.ordinal + 1 } ?: 0, out.levels[i].toInt(), "$name: $how level ${i + 1}")
                val count = listOfNotNull(o.escalation, o.recipientEscalation, o.senderEscalation).size
                assertEquals(count, out.escalationCounts[i].toInt(), "$name: $how escalations ${i + 1}")
                assertEquals(o.intervention?.let { it.action.ordinal + 1 } ?: 0, out.actions[i].toInt(), "$name: $how action ${i + 1}")
            }
        }
        val only = Tracker(engine).use { it.observeJsonBatch(inputs, BatchOptions(escalationsOnly = true)) }
        check(only.levels.isEmpty() && only.observations.isEmpty()) { "$name: escalations only" }
        assertEquals(raised(single), only.escalations.map { it.row.toLong() to JsonParser.parseString(it.json) }, "$name: escalations only")
    }
}

/** Bad buffers raise `VigilException.Batch` naming column and row; malformed lines are reported. */
fun badBatchCase() = Case("bad batches raise VigilException.Batch") {
    Engine.shipped().use { engine ->
        Tracker(engine).use { tracker ->
            val col = utf8Column("json", listOf("{}"))
            val bad = col.copy(offsets = col.offsets.copyOf().also { it[4] = 50 })
            val e = assertThrows<VigilException.Batch> { tracker.observeColumns(1uL, listOf(bad), listOf(), BatchOptions()) }
            assertEquals("column `json`, row 0: offsets 0..50 past the data (2 bytes)", e.message, "message")
            val out = tracker.observeJsonBatch(listOf("{not json", "{}"), BatchOptions())
            assertEquals(listOf(0uL, 1uL), out.errors.map { it.row }, "malformed rows")
            assertEquals(0uL, tracker.stats().observed, "nothing observed")
        }
    }
}

fun vectorCases(): List<Case> {
    val index = JsonParser.parseString(File(vectorsDir, "index.json").readText()).asJsonArray
    check(index.size() > 0) { "index.json lists no vector" }
    val batches = index.map { it.asJsonObject }.map { batchCase(it.get("name").asString, it.getAsJsonArray("policy")) }
    return listOf(twoStageCase(), messagePathCase(), badBatchCase()) + batches + index.map { it.asJsonObject }.map { v ->
        val name = v.get("name").asString
        Case("vector $name") {
            val (inputs, expected) = vectorLines(name)
            vectorEngine(v.getAsJsonArray("policy")).use { engine ->
                Tracker(engine).use { tracker ->
                    Tracker(engine).use { byJson ->
                        var byHand = 0
                        for ((i, line) in inputs.withIndex()) {
                            val want = expected[i]
                            val parsed = parseMessage(line)
                            val record = messageOf(JsonParser.parseString(line).asJsonObject)?.also {
                                // The core's reader and the hand-built record agree on canonical lines.
                                assertEquals(it, parsed, "$name: message ${i + 1} (parseMessage)")
                                byHand++
                            } ?: parsed
                            val obs = tracker.observe(record)
                            assertEquals(want, JsonParser.parseString(obs.json), "$name: observation ${i + 1} (core JSON)")
                            difference("observation", observationValue(obs), want)?.let {
                                throw AssertionError("$name: observation ${i + 1} (records): $it")
                            }
                            obs.escalation?.let {
                                assertEquals(want.asJsonObject.get("escalation"), JsonParser.parseString(it.json),
                                    "$name: observation ${i + 1} (escalation JSON)")
                                assertEquals(obs.platform, it.platform, "$name: observation ${i + 1} (escalation platform)")
                            }
                            for ((member, esc) in listOf("recipient_escalation" to obs.recipientEscalation, "sender_escalation" to obs.senderEscalation)) {
                                esc?.let {
                                    assertEquals(want.asJsonObject.get(member), JsonParser.parseString(it.json),
                                        "$name: observation ${i + 1} ($member JSON)")
                                }
                            }
                            assertEquals(want, JsonParser.parseString(byJson.observeJson(line)), "$name: observation ${i + 1} (observeJson)")
                        }
                        check(byHand > 0) { "$name: no line built by hand" }
                        if (name == "platform") check(byHand < inputs.size) { "$name: no line in a platform's own shape" }
                    }
                }
            }
        }
    }
}
