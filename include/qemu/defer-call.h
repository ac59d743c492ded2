/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * defer-call.h: hold back work such as "submit the queued I/O" while a
 * caller is about to queue more of the same, then run it once.
 *
 * A section opened with defer_call_begin() and closed with
 * defer_call_end() collects the defer_call()s made inside it by the
 * same thread; each (fn, opaque) pair is recorded once and run when the
 * outermost section ends.  Outside any section defer_call() runs the
 * function at once.  Sections nest.  The state is per thread, so a
 * section only batches work queued by the thread that opened it.
 */
#ifndef QEMU_DEFER_CALL_H
#define QEMU_DEFER_CALL_H

/* Open a section (nests).  Any thread. */
void defer_call_begin(void);

/*
 * Close a section; when the outermost one closes, run the recorded
 * calls in the order they were first recorded.  Must pair with
 * defer_call_begin() in the same thread.
 */
void defer_call_end(void);

/*
 * Run @fn(@opaque) now, or, inside a section, once when the outermost
 * section ends (repeated calls with the same pair are merged).  @fn may
 * run earlier than the end of the section if too many distinct calls
 * are recorded, so it must be harmless to run at any time.
 */
void defer_call(void (*fn)(void *), void *opaque);

/* Is a section open in this thread? */
bool defer_call_active(void);

/*
 * Run the calls recorded so far now, leaving the section open.  aio_poll()
 * calls this before it blocks, so a nested event loop inside a section
 * never waits for I/O that is still held back.
 */
void defer_call_flush(void);

#endif /* QEMU_DEFER_CALL_H */
