/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-tmpdir.h: removing the flat scratch directory a unit test made
 * with g_dir_make_tmp() (its files, then the directory itself).
 */
#ifndef TEST_TMPDIR_H
#define TEST_TMPDIR_H

static inline void test_remove_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, name, NULL);

        unlink(p);
    }
    if (d) {
        g_dir_close(d);
    }
    rmdir(dir);
}

#endif
