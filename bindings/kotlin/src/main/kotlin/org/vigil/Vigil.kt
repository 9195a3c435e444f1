@file:JvmName("Vigil")

/**
 * Small idiomatic helpers over the generated bindings in `org.vigil.ffi` (records, enums,
 * `Engine`, `Tracker`, `PolicyBuilder`, `VigilException`). Everything here is a conversion or a
 * shortcut; the scoring happens in the Rust core.
 */
package org.vigil

import java.io.File
import java.time.Instant
import org.vigil.ffi.Engine
import org.vigil.ffi.Escalation
import org.vigil.ffi.EvidenceItem
import org.vigil.ffi.Message
import org.vigil.ffi.PolicyBuilder
import org.vigil.ffi.Span
import org.vigil.ffi.messageToJson
import org.vigil.ffi.parseMessage

/**
 * Parses one message from JSON (one line of a JSON Lines file) with the core's lenient reader, so a
 * platform's export reads as it is (integer ids, ages as digits, epoch timestamps, its own channel
 * and relationship words); throws `VigilException.Message` naming a missing or unreadable field.
 */
fun Message.Companion.fromJson(json: String): Message = parseMessage(json)

/** The message as one line of JSON, as the core writes it (the input format of `vigil scan`). */
fun Message.toJson(): String = messageToJson(this)

/** When the message was sent. */
val Message.sentAt: Instant get() = Instant.ofEpochMilli(timestampMs)

/** When the escalation was raised (the raising message's timestamp). */
val Escalation.raisedAt: Instant get() = Instant.ofEpochMilli(raisedAtMs)

/** When the evidence message was sent. */
val EvidenceItem.sentAt: Instant get() = Instant.ofEpochMilli(timestampMs)

/**
 * The part of this text a [Span] covers. Spans are byte offsets into the UTF-8 encoding (as in
 * the escalation JSON), not `String` indices; this converts them. Offsets past the end are clamped.
 */
fun String.slice(span: Span): String {
    val bytes = toByteArray(Charsets.UTF_8)
    val start = span.start.toLong().coerceIn(0L, bytes.size.toLong()).toInt()
    val end = span.end.toLong().coerceIn(start.toLong(), bytes.size.toLong()).toInt()
    return String(bytes, start, end - start, Charsets.UTF_8)
}

/** The `String` index range a [Span] covers in this text (for highlighting in UI toolkits). */
fun String.charRange(span: Span): IntRange {
    val bytes = toByteArray(Charsets.UTF_8)
    val start = span.start.toLong().coerceIn(0L, bytes.size.toLong()).toInt()
    val end = span.end.toLong().coerceIn(start.toLong(), bytes.size.toLong()).toInt()
    val from = String(bytes, 0, start, Charsets.UTF_8).length
    return from until from + String(bytes, start, end - start, Charsets.UTF_8).length
}

/**
 * An engine of the shipped packs with the given override files (TOML or JSON) layered on top, in
 * order. Throws `VigilException.Policy` (with file, line and column) or `VigilException.Io`.
 */
fun engineWithOverrides(vararg overrides: File): Engine {
    PolicyBuilder().use { builder ->
        builder.addShipped().close()
        for (file in overrides) {
            builder.addFile(file.path).close()
        }
        return builder.build().use { policy -> Engine(policy) }
    }
}
