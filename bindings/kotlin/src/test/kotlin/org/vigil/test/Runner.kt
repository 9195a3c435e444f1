/** A small test runner (no JUnit on this machine): runs every case and ends with "N passed, M failed". */
package org.vigil.test

import java.io.File
import kotlin.system.exitProcess

/** One named test. */
class Case(val name: String, val body: () -> Unit)

/** Fails the current test with [message] unless [condition] holds. */
fun check(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}

/** Fails unless [actual] equals [expected]. */
fun <T> assertEquals(expected: T, actual: T, what: String = "value") {
    if (expected != actual) throw AssertionError("$what: expected <$expected>, got <$actual>")
}

/** Runs [block] and returns the exception of type [E] it throws; fails if it throws nothing. */
inline fun <reified E : Throwable> assertThrows(block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e", e)
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}

/** `tests/vectors/`, from `-Dvigil.vectors` or found from the working directory. */
val vectorsDir: File by lazy {
    System.getProperty("vigil.vectors")?.let { return@lazy File(it) }
    var dir: File? = File("").absoluteFile
    while (dir != null) {
        val candidate = File(dir, "tests/vectors/index.json")
        if (candidate.isFile) return@lazy candidate.parentFile
        dir = dir.parentFile
    }
    error("tests/vectors not found: pass -Dvigil.vectors=PATH")
}

fun main() {
    val cases = vectorCases() + apiCases() + draftCases()
    var passed = 0
    var failed = 0
    for (case in cases) {
        try {
            case.body()
            println("PASS ${case.name}")
            passed++
        } catch (t: Throwable) {
            println("FAIL ${case.name}: $t")
            t.printStackTrace(System.out)
            failed++
        }
    }
    println()
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0 && passed > 0) 0 else 1)
}
