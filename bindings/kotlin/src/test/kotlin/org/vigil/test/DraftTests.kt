/** Report drafts through the Kotlin binding: a reviewed escalation document becomes a draft; refusals are VigilException.Draft. */
package org.vigil.test

import com.google.gson.JsonParser
import java.io.File
import org.vigil.ffi.DraftOptions
import org.vigil.ffi.Engine
import org.vigil.ffi.Tracker
import org.vigil.ffi.VigilException
import org.vigil.ffi.draftCaseExport
import org.vigil.ffi.draftCybertipline

/** `tests/drafts/sextortion.jsonl`: next to the vectors, or found from the working directory. */
private val sextortion: File by lazy {
    val byVectors = File(vectorsDir.parentFile, "drafts/sextortion.jsonl")
    if (byVectors.isFile) return@lazy byVectors
    var dir: File? = File("").absoluteFile
    while (dir != null) {
        val candidate = File(dir, "tests/drafts/sextortion.jsonl")
        if (candidate.isFile) return@lazy candidate
        dir = dir.parentFile
    }
    error("tests/drafts/sextortion.jsonl not found")
}

/** The conversation-scope escalation documents of `sx-1`, in order. */
private fun sextortionEscalations(): List<String> = Engine.shipped().use { engine ->
    Tracker(engine).use { tracker ->
        sextortion.readLines().filter { it.isNotBlank() }.mapNotNull { tracker.observeJsonEscalation(it) }
    }
}

private fun level(doc: String) = JsonParser.parseString(doc).asJsonObject.get("level").asString

private fun options(reviewedBy: String = "mod-7", decision: String = "confirmed") = DraftOptions(
    reviewedBy = reviewedBy,
    decision = decision,
    reviewedAtMs = 1_790_000_000_000L,
    platform = "ExampleChat",
    medium = "online_gaming",
    declaredAges = mapOf("u-3141" to 13u),
)

fun draftCases(): List<Case> = listOf(
    Case("a confirmed urgent escalation makes a CyberTipline draft") {
        val urgent = sextortionEscalations().last()
        assertEquals("urgent", level(urgent), "level")
        val d = draftCybertipline(urgent, options())
        check("<sextortion/>" in d.xml) { d.xml }
        check("Online Enticement of Children for Sexual Acts" in d.xml) { d.xml }
        check("TO_BE_COMPLETED" in d.xml) { d.xml }
        check("<onlineGamingIncident>" in d.xml) { d.xml }
        check("<age>13</age>" in d.xml) { d.xml }
        assertEquals("vigil.draft.cybertipline/1", JsonParser.parseString(d.json).asJsonObject.get("schema").asString, "schema")
        // Only reviewer and decision are required; the rest defaults (chat, no platform name).
        val plain = draftCybertipline(urgent, DraftOptions(reviewedBy = "mod-7", decision = "confirmed"))
        check("<chatImIncident>" in plain.xml) { plain.xml }
    },
    Case("a case export is vigil.case-export/1") {
        val x = draftCaseExport(sextortionEscalations().last(), options())
        assertEquals("vigil.case-export/1", JsonParser.parseString(x).asJsonObject.get("schema").asString, "schema")
        check("Online Enticement" !in x) { x }
    },
    Case("drafts are refused with VigilException.Draft and the core's message") {
        val all = sextortionEscalations()
        val urgent = all.last()
        val nobody = assertThrows<VigilException.Draft> { draftCybertipline(urgent, options(reviewedBy = "")) }
        check("reviewer" in (nobody.message ?: "")) { nobody.message ?: "" }
        assertThrows<VigilException.Draft> { draftCaseExport(urgent, options(reviewedBy = " ")) }
        val watch = all.first { level(it) == "watch" }
        val below = assertThrows<VigilException.Draft> { draftCybertipline(watch, options()) }
        check("this one is at `watch`" in (below.message ?: "")) { below.message ?: "" }
        assertThrows<VigilException.Draft> { draftCaseExport(watch, options()) }
        val dismissed = assertThrows<VigilException.Draft> { draftCybertipline(urgent, options(decision = "dismissed")) }
        check("`confirmed` decision" in (dismissed.message ?: "")) { dismissed.message ?: "" }
        val unknown = assertThrows<VigilException.Draft> { draftCybertipline(urgent, options(decision = "maybe")) }
        check("unknown decision" in (unknown.message ?: "")) { unknown.message ?: "" }
        val json = assertThrows<VigilException.Draft> { draftCaseExport("{", options()) }
        check("invalid escalation document" in (json.message ?: "")) { json.message ?: "" }
    },
)
