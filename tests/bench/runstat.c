/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runstat: run a command (optionally several times in a row) and report
 * its wall-clock time and peak resident set size, for the side-by-side
 * benchmark scripts (tests/bench, *.sh).  The peak RSS comes from the
 * rusage that wait4() returns for the child, so no sampling is involved.
 *
 *   runstat [-n RUNS] [-o FILE] [-t SECONDS] [--] COMMAND [ARG...]
 *
 * Writes one line "SECONDS MAXRSS_KIB STATUS" to FILE (default: stderr):
 * SECONDS is the total wall time of all runs, MAXRSS_KIB the largest peak
 * RSS among them, STATUS the exit status of the last run (128 + signal
 * number if it was killed).  Stops at the first run that fails.  With -t,
 * a run still going after SECONDS is killed (status 128 + SIGKILL).  The
 * command's own stdin/stdout/stderr are passed through untouched.
 */
#include "qemu/osdep.h"
#include <sys/resource.h>
#include <sys/wait.h>

static volatile pid_t running_child;
static unsigned timeout_seconds;

static void on_alarm(int sig)
{
    if (running_child > 0) {
        kill(running_child, SIGKILL);
    }
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run argv once; store its peak RSS in *maxrss_kib, return its status. */
static int run_once(char **argv, long *maxrss_kib)
{
    struct rusage ru;
    int wstatus;
    pid_t pid, got;

    pid = fork();
    if (pid < 0) {
        perror("runstat: fork");
        return 127;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "runstat: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    running_child = pid;
    alarm(timeout_seconds);
    do {
        got = wait4(pid, &wstatus, 0, &ru);
    } while (got < 0 && errno == EINTR);
    alarm(0);
    running_child = 0;
    if (got < 0) {
        perror("runstat: wait4");
        return 127;
    }
    *maxrss_kib = ru.ru_maxrss;     /* Linux reports KiB */
    if (WIFSIGNALED(wstatus)) {
        return 128 + WTERMSIG(wstatus);
    }
    return WEXITSTATUS(wstatus);
}

int main(int argc, char **argv)
{
    const char *outfile = NULL;
    long runs = 1, i, peak = 0;
    int status = 0, opt;
    double start, elapsed;
    FILE *out = stderr;

    while ((opt = getopt(argc, argv, "+n:o:t:")) != -1) {
        switch (opt) {
        case 'n':
            runs = strtol(optarg, NULL, 10);
            break;
        case 'o':
            outfile = optarg;
            break;
        case 't':
            timeout_seconds = strtoul(optarg, NULL, 10);
            break;
        default:
            fprintf(stderr, "usage: runstat [-n RUNS] [-o FILE] [-t SECONDS] "
                    "[--] "
                    "COMMAND [ARG...]\n");
            return 2;
        }
    }
    if (optind >= argc || runs < 1) {
        fprintf(stderr, "runstat: no command or bad run count\n");
        return 2;
    }

    signal(SIGALRM, on_alarm);
    start = now_seconds();
    for (i = 0; i < runs; i++) {
        long rss = 0;

        status = run_once(argv + optind, &rss);
        if (rss > peak) {
            peak = rss;
        }
        if (status != 0) {
            break;
        }
    }
    elapsed = now_seconds() - start;

    if (outfile) {
        out = fopen(outfile, "w");
        if (!out) {
            perror(outfile);
            return 2;
        }
    }
    fprintf(out, "%.6f %ld %d\n", elapsed, peak, status);
    if (out != stderr) {
        fclose(out);
    }
    return status;
}
