/** The Kotlin API: errors, threads, snapshots, conversions and the facade. */
package org.vigil.test

import com.google.gson.JsonParser
import java.io.File
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import org.vigil.charRange
import org.vigil.engineWithOverrides
import org.vigil.ffi.AgeBand
import org.vigil.ffi.Channel
import org.vigil.ffi.Engine
import org.vigil.ffi.IndicatorKind
import org.vigil.ffi.Level
import org.vigil.ffi.Message
import org.vigil.ffi.Participant
import org.vigil.ffi.Policy
import org.vigil.ffi.PolicyBuilder
import org.vigil.ffi.PlatformWord
import org.vigil.ffi.Relationship
import org.vigil.ffi.Tracker
import org.vigil.ffi.VigilException
import org.vigil.ffi.escalationSchema
import org.vigil.ffi.formatTimestamp
import org.vigil.ffi.parseTimestamp
import org.vigil.ffi.shippedPackNames
import org.vigil.ffi.shippedPackSource
import org.vigil.fromJson
import org.vigil.sentAt
import org.vigil.slice
import org.vigil.toJson

private val shipped: Engine by lazy { Engine.shipped() }

private fun msg(id: String, text: String, conversation: String = "c-1", at: Long = 1_762_020_245_000L) = Message(
    conversationId = conversation,
    messageId = id,
    timestampMs = at,
    sender = Participant("u-9", AgeBand.ADULT, accountAgeDays = 2u),
    recipient = Participant("u-4", AgeBand.MINOR),
    channel = "direct",
    relationship = "stranger",
    text = text,
)

/** Collects what the README example sends to moderators. */
class ModerationQueue {
    val sent = mutableListOf<String>()

    fun send(document: String) {
        sent.add(document)
    }
}

fun apiCases(): List<Case> = listOf(
    Case("README example") {
        val queue = ModerationQueue()
        readmeExample(queue)
        check(queue.sent.isNotEmpty()) { "the README example raised no escalation" }
        assertEquals("vigil.escalation/1", JsonParser.parseString(queue.sent.first()).asJsonObject.get("schema").asString, "schema")
    },
    Case("policy errors are VigilException.Policy with the core's message (file:line:column)") {
        val e = assertThrows<VigilException.Policy> {
            PolicyBuilder().addToml("my.toml", "[[rule]]\nid = \"x\"\ncategory = \"nope\"\nwieght = 3\n")
        }
        val message = e.message ?: ""
        check(message.startsWith("my.toml:4:1")) { message }
        check("wieght" in message) { message }
    },
    Case("a failed add leaves the builder as it was") {
        val builder = PolicyBuilder().addShipped()
        assertThrows<VigilException.Policy> { builder.addToml("bad.toml", "[[rule]\n") }
        assertEquals(Policy.shipped().hash(), builder.build().hash(), "hash")
    },
    Case("unknown packs and unreadable files are errors") {
        val e = assertThrows<VigilException.Policy> { PolicyBuilder().addPack("klingon") }
        check("no shipped pack named `klingon`" in (e.message ?: "")) { e.message ?: "" }
        val io = assertThrows<VigilException.Io> { PolicyBuilder().addFile("/nonexistent/acme.toml") }
        check(io.message!!.startsWith("/nonexistent/acme.toml: ")) { io.message!! }
    },
    Case("an override file changes the policy") {
        val file = File.createTempFile("acme", ".toml")
        try {
            file.writeText("[policy]\nid = \"acme\"\nversion = \"3\"\n[scoring]\nlevels = { review = 55 }\n")
            engineWithOverrides(file).use { engine ->
                check(engine.policy().id().endsWith("+acme")) { engine.policy().id() }
                assertEquals(Level.REVIEW, engine.levelFor(55.0), "level at 55")
                assertEquals(Level.WATCH, engine.levelFor(54.0), "level at 54")
            }
        } finally {
            file.delete()
        }
    },
    Case("invalid messages are VigilException.Message naming the field") {
        Tracker(shipped).use { tracker ->
            val e = assertThrows<VigilException.Message> {
                tracker.observeJson("""{"conversation_id":"c","timestamp":0,"sender":{"id":"a"},"text":""}""")
            }
            check("message_id" in (e.message ?: "")) { e.message ?: "" }
            val empty = assertThrows<VigilException.Message> { tracker.observe(msg("m-1", "hi").copy(conversationId = "")) }
            check("conversation_id" in (empty.message ?: "")) { empty.message ?: "" }
            assertEquals(0uL, tracker.stats().observed, "observed")
        }
        assertThrows<VigilException.Timestamp> { parseTimestamp("yesterday") }
    },
    Case("assess highlights the bytes the user typed") {
        val m = msg("m-1", "ok \uD83D\uDE00 d0n'7 t e l l ur parents about us")
        val a = shipped.assess(m)
        check(a.score > 0.0) { "score ${a.score}" }
        val hit = a.hits.first()
        assertEquals("d0n'7 t e l l ur parents", m.text.slice(hit.span), "highlighted text")
        assertEquals("d0n'7 t e l l ur parents", m.text.substring(m.text.charRange(hit.span)), "char range")
        val json = JsonParser.parseString(shipped.assessJson(m.toJson())).asJsonObject
        assertEquals(a.hits.size, json.getAsJsonArray("hits").size(), "hits in JSON")
    },
    Case("escalations carry records and the JSON document") {
        Tracker(shipped).use { tracker ->
            val texts = listOf("how old are you?", "dont tell your parents about us", "add me on snap", "send a pic")
            val escalations = texts.mapIndexed { i, t -> tracker.observe(msg("m-$i", t, at = 1_762_020_245_000L + i * 60_000L)) }
                .mapNotNull { it.escalation }
            check(escalations.isNotEmpty()) { "no escalation" }
            val e = escalations.last()
            val doc = JsonParser.parseString(e.json).asJsonObject
            assertEquals("vigil.escalation/1", doc.get("schema").asString, "schema")
            assertEquals(e.level.name.lowercase(), doc.get("level").asString, "level")
            assertEquals(e.evidence.size, doc.getAsJsonArray("evidence").size(), "evidence")
            assertEquals("u-4", e.participants.recipient?.id, "recipient")
            check(JsonParser.parseString(escalationSchema()).isJsonObject) { "schema is not JSON" }
        }
    },
    Case("an escalation lists indicators field by field") {
        val address = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
        Tracker(shipped).use { tracker ->
            val first = msg("m-1", "how old r u? dont tell your parents, my btc is $address")
            val e = tracker.observe(first).escalation ?: throw AssertionError("no escalation")
            val w = e.indicators.singleOrNull { it.kind == IndicatorKind.WALLET } ?: throw AssertionError("${e.indicators}")
            assertEquals(address, w.value, "value")
            assertEquals("bitcoin", w.detail, "detail")
            assertEquals(true, w.checked, "checked (Base58Check holds)")
            assertEquals("m-1", w.messageId, "message")
            assertEquals(address, first.text.slice(w.span), "span")
            assertEquals(1u, w.count, "count")
            val item = JsonParser.parseString(e.json).asJsonObject.getAsJsonArray("indicators")
                .map { it.asJsonObject }.single { it.get("kind").asString == "wallet" }
            assertEquals(address, item.get("value").asString, "document value")
            // Seen again in a later message that escalates: still the first sighting, counted twice.
            val again = tracker.observe(msg("m-2", "send a pic, same btc $address", at = 1_762_020_305_000L)).escalation
                ?: throw AssertionError("no second escalation")
            val w2 = again.indicators.single { it.kind == IndicatorKind.WALLET }
            assertEquals("m-1" to 2u, w2.messageId to w2.count, "first sighting and count")
        }
    },
    Case("observeJsonEscalation gives the escalation document alone") {
        Tracker(shipped).use { whole ->
            Tracker(shipped).use { alone ->
                val texts = listOf("how old are you?", "hi", "dont tell your parents about us", "add me on snap")
                var escalated = 0
                texts.forEachIndexed { i, t ->
                    val line = msg("m-$i", t, at = 1_762_020_245_000L + i * 60_000L).toJson()
                    val obs = JsonParser.parseString(whole.observeJson(line)).asJsonObject
                    val esc = alone.observeJsonEscalation(line)
                    if (obs.get("escalation").isJsonNull) {
                        assertEquals(null, esc, "no escalation")
                    } else {
                        escalated++
                        assertEquals(obs.get("escalation"), JsonParser.parseString(esc), "escalation ${i + 1}")
                    }
                }
                check(escalated >= 2) { "only $escalated escalations" }
            }
        }
    },
    Case("one tracker is safe to share across threads; engines are shared by trackers") {
        val pool = Executors.newFixedThreadPool(8)
        val tracker = Tracker(shipped)
        val sequential = (0 until 8).map { t ->
            Tracker(shipped).use { own -> (0 until 25).map { i -> own.observe(msg("m-$i", "dont tell your parents, add me on snap", "c-$t")).json } }
        }
        val futures = (0 until 8).map { t ->
            pool.submit<List<String>> {
                Tracker(shipped).use { own ->
                    (0 until 25).map { i ->
                        tracker.observe(msg("m-$i", "dont tell your parents, add me on snap", "c-$t"))
                        own.observe(msg("m-$i", "dont tell your parents, add me on snap", "c-$t")).json
                    }
                }
            }
        }
        val parallel = futures.map { it.get(60, TimeUnit.SECONDS) }
        pool.shutdown()
        assertEquals(sequential, parallel, "per-thread results")
        assertEquals(200uL, tracker.stats().observed, "observed")
        assertEquals(8uL, tracker.len(), "keys")
        tracker.close()
    },
    Case("snapshots round-trip: a restored tracker continues exactly like the original") {
        val (inputs, expected) = vectorLines("sample")
        Tracker(shipped).use { a ->
            val half = inputs.size / 2
            inputs.take(half).forEach { a.observeJson(it) }
            Tracker(shipped).use { b ->
                b.restore(a.snapshot())
                assertEquals(a.len(), b.len(), "keys")
                for (i in half until inputs.size) {
                    val fromA = JsonParser.parseString(a.observeJson(inputs[i]))
                    val fromB = JsonParser.parseString(b.observeJson(inputs[i]))
                    assertEquals(expected[i], fromB, "observation ${i + 1} after restore")
                    assertEquals(fromA, fromB, "observation ${i + 1}")
                }
            }
            Tracker(shipped).use { c ->
                val conversation = JsonParser.parseString(inputs[0]).asJsonObject.get("conversation_id").asString
                c.restoreConversation(a.snapshotConversation(conversation))
                check(c.len() > 0uL) { "no key restored" }
                c.clear()
                check(c.isEmpty()) { "not cleared" }
            }
            val e = assertThrows<VigilException.Snapshot> { a.restore("not a snapshot".toByteArray()) }
            assertEquals("not a Vigil snapshot (bad magic bytes)", e.message, "message")
            val bytes = a.snapshot()
            assertThrows<VigilException.Snapshot> { a.restore(bytes.copyOf(bytes.size - 1)) }
            assertEquals(bytes.toList(), a.snapshot().toList(), "a failed restore changes nothing")
        }
    },
    Case("an engine loads from a bundle and observes like the compiled policy") {
        val bundle = shipped.toBundle()
        assertEquals("VIGILBDL", String(bundle.copyOf(8)), "magic")
        val loaded = Engine.fromBundle(bundle)
        assertEquals(shipped.policy().hash(), loaded.policy().hash(), "hash")
        val (inputs, expected) = vectorLines("sample")
        Tracker(shipped).use { a ->
            Tracker(loaded).use { b ->
                for (i in inputs.indices) {
                    val fromA = JsonParser.parseString(a.observeJson(inputs[i]))
                    val fromB = JsonParser.parseString(b.observeJson(inputs[i]))
                    assertEquals(expected[i], fromB, "observation ${i + 1}")
                    assertEquals(fromA, fromB, "observation ${i + 1}")
                }
            }
        }
        assertEquals(shipped.ruleCount(), Engine.fromBundleFor(bundle, shipped.policy().hash()).ruleCount(), "rules")
        val e = assertThrows<VigilException.Bundle> { Engine.fromBundle("not a bundle".toByteArray()) }
        assertEquals("bundle byte 0: not a Vigil bundle (bad magic bytes)", e.message, "message")
        val cut = assertThrows<VigilException.Bundle> { Engine.fromBundle(bundle.copyOf(bundle.size - 1)) }
        check("truncated" in (cut.message ?: "")) { cut.message ?: "" }
        val damaged = bundle.copyOf()
        damaged[damaged.size - 1] = (damaged[damaged.size - 1].toInt() xor 1).toByte()
        val bad = assertThrows<VigilException.Bundle> { Engine.fromBundle(damaged) }
        check("checksum mismatch" in (bad.message ?: "")) { bad.message ?: "" }
        val other = assertThrows<VigilException.Bundle> { Engine.fromBundleFor(bundle, "sha256:00") }
        check("not sha256:00" in (other.message ?: "")) { other.message ?: "" }
    },
    Case("messages and timestamps convert both ways") {
        val m = msg("m-1", "hello")
        assertEquals(m, Message.fromJson(m.toJson()), "message")
        assertEquals(1_762_020_245_000L, m.sentAt.toEpochMilli(), "sentAt")
        assertEquals("2026-11-01T18:04:05Z", formatTimestamp(parseTimestamp("2026-11-01T19:04:05+01:00")), "timestamp")
        // Timestamps as platforms write them: a space for the T, epoch seconds or milliseconds.
        for (text in listOf("2026-11-01 18:04:05Z", "1793556245", "1793556245000")) {
            assertEquals(1_793_556_245_000L, parseTimestamp(text), "timestamp $text")
        }
    },
    Case("a platform export reads leniently: integer ids, ages as digits, epoch seconds, its own words") {
        val m = Message.fromJson(
            """{"conversation_id": 4004, "message_id": 7, "timestamp": 1793556245, "sender": {"id": 9001, "age": "40"},""" +
                """ "recipient": {"id": "u-4", "age_band": "teen", "age": 13}, "channel": "Lobby", "relationship": "friend", "text": "hi"}""",
        )
        assertEquals(listOf("4004", "7", "9001"), listOf(m.conversationId, m.messageId, m.sender.id), "ids")
        assertEquals(1_793_556_245_000L, m.timestampMs, "timestamp")
        assertEquals(40u, m.sender.age, "sender age")
        assertEquals(AgeBand.UNKNOWN, m.recipient?.ageBand, "an unknown band word")
        assertEquals("Lobby" to "friend", m.channel to m.relationship, "words kept as written")
    },
    Case("platform words are accepted, scored by kind and kept in the observation and escalation") {
        Tracker(shipped).use { tracker ->
            val obs = tracker.observe(msg("m-1", "how old are you? dont tell your parents about us").copy(channel = "lobby", relationship = "friend"))
            val platform = obs.platform ?: throw AssertionError("no platform words")
            assertEquals(PlatformWord("lobby", "public", true), platform.channel, "channel word")
            assertEquals(PlatformWord("friend", "contact", true), platform.relationship, "relationship word")
            assertEquals(null, obs.recipient, "a public channel has no recipient on the key")
            val e = obs.escalation ?: throw AssertionError("no escalation")
            assertEquals(Channel.PUBLIC, e.channel, "escalation channel kind")
            assertEquals(Relationship.CONTACT, e.relationship, "escalation relationship kind")
            assertEquals(platform, e.platform, "escalation platform")
            assertEquals(platform.channel?.word, JsonParser.parseString(e.json).asJsonObject
                .getAsJsonObject("platform").getAsJsonObject("channel").get("word").asString, "document")

            val unmapped = tracker.observe(msg("m-2", "hi").copy(channel = "hologram")).platform
            assertEquals(PlatformWord("hologram", "unknown", false), unmapped?.channel, "unmapped word")
            assertEquals(null, unmapped?.relationship, "a kind's name is not repeated")
            assertEquals(null, tracker.observe(msg("m-3", "hi")).platform, "kinds' names only")
        }
        assertEquals(Channel.PUBLIC, shipped.channelKind("Lobby").kind, "channelKind")
        check(!shipped.relationshipKind("nemesis").mapped) { "nemesis is mapped" }
        assertEquals(18u, shipped.adultAge(), "adultAge")
    },
    Case("shipped packs pass their own examples") {
        val names = shippedPackNames()
        assertEquals("core", names.firstOrNull(), "first pack")
        for (name in names) check(shippedPackSource(name)?.contains("[policy]") == true) { "source of pack $name" }
        assertEquals(null, shippedPackSource("klingon"), "unknown pack")
        assertEquals(emptyList<Any>(), shipped.checkExamples(), "example failures")
        check(shipped.ruleCount() > 0uL) { "no rules" }
    },
)
