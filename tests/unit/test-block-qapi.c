/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-block-qapi.c: block/qapi.c, the image information behind
 * "qemu-img info": QObject conversion (key names, optional members,
 * nesting, and a JSON text whose key order is QEMU 7.2's), the
 * human-readable dump and the snapshot table, checked against what QEMU
 * 7.2's qemu-img prints for the same data.
 */
#include "qemu/osdep.h"
#include "block/qapi.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qjson.h"
#include "qapi/qmp/qlist.h"

static ImageInfo *raw_info(void)
{
    ImageInfo *info = g_new0(ImageInfo, 1);

    info->filename = g_strdup("a.raw");
    info->format = g_strdup("raw");
    info->virtual_size = 1073741824;
    info->has_actual_size = true;
    info->actual_size = 4096;
    info->has_dirty_flag = true;
    return info;
}

static char *to_json(QObject *obj)
{
    GString *s = qobject_to_json_pretty(obj, true);

    qobject_unref(obj);
    return g_string_free(s, false);
}

/* Members present exactly when set, with QEMU's names and types. */
static void test_members(void)
{
    g_autoptr(ImageInfo) info = raw_info();
    QDict *d;

    d = qobject_to(QDict, image_info_to_qobject(info));
    g_assert_cmpint(qdict_size(d), ==, 5);
    g_assert_cmpstr(qdict_get_str(d, "filename"), ==, "a.raw");
    g_assert_cmpint(qdict_get_int(d, "virtual-size"), ==, 1073741824);
    g_assert_cmpint(qdict_get_int(d, "actual-size"), ==, 4096);
    g_assert_false(qdict_get_bool(d, "dirty-flag"));
    g_assert_false(qdict_haskey(d, "cluster-size"));
    g_assert_false(qdict_haskey(d, "backing-filename"));
    qobject_unref(d);

    info->has_cluster_size = true;
    info->cluster_size = 65536;
    info->backing_filename = g_strdup("b.qcow2");
    info->backing_image = raw_info();
    d = qobject_to(QDict, image_info_to_qobject(info));
    g_assert_cmpint(qdict_get_int(d, "cluster-size"), ==, 65536);
    g_assert_cmpstr(qdict_get_str(d, "backing-filename"), ==, "b.qcow2");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(d, "backing-image"),
                                  "format"), ==, "raw");
    qobject_unref(d);
}

/* The text "qemu-img info --output=json" of QEMU 7.2 prints for raw. */
static void test_json_order(void)
{
    g_autoptr(ImageInfo) info = raw_info();
    g_autofree char *json = to_json(image_info_to_qobject(info));

    g_assert_cmpstr(json, ==,
                    "{\n"
                    "    \"virtual-size\": 1073741824,\n"
                    "    \"filename\": \"a.raw\",\n"
                    "    \"format\": \"raw\",\n"
                    "    \"actual-size\": 4096,\n"
                    "    \"dirty-flag\": false\n"
                    "}");
}

static ImageInfoSpecific *qcow2_specific(void)
{
    ImageInfoSpecific *spec = g_new0(ImageInfoSpecific, 1);
    ImageInfoSpecificQCow2 *q = g_new0(ImageInfoSpecificQCow2, 1);

    q->compat = g_strdup("1.1");
    q->has_lazy_refcounts = q->has_corrupt = q->has_extended_l2 = true;
    q->refcount_bits = 16;
    q->compression_type = QCOW2_COMPRESSION_TYPE_ZLIB;
    spec->type = IMAGE_INFO_SPECIFIC_KIND_QCOW2;
    spec->u.qcow2.data = q;
    return spec;
}

static void test_specific_json(void)
{
    ImageInfoSpecific *spec = qcow2_specific();
    g_autofree char *json = to_json(image_info_specific_to_qobject(spec));

    g_assert_cmpstr(json, ==,
                    "{\n"
                    "    \"type\": \"qcow2\",\n"
                    "    \"data\": {\n"
                    "        \"compat\": \"1.1\",\n"
                    "        \"compression-type\": \"zlib\",\n"
                    "        \"lazy-refcounts\": false,\n"
                    "        \"refcount-bits\": 16,\n"
                    "        \"corrupt\": false,\n"
                    "        \"extended-l2\": false\n"
                    "    }\n"
                    "}");
    qapi_free_ImageInfoSpecific(spec);
}

static void test_human_dump(void)
{
    if (g_test_subprocess()) {
        g_autoptr(ImageInfo) info = raw_info();

        info->format_specific = qcow2_specific();
        info->backing_filename = g_strdup("b.img");
        info->full_backing_filename = g_strdup("/d/b.img");
        bdrv_image_info_dump(info);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("image: a.raw\n"
                              "file format: raw\n"
                              "virtual size: 1 GiB (1073741824 bytes)\n"
                              "disk size: 4 KiB\n"
                              "backing file: b.img (actual path: /d/b.img)\n"
                              "Format specific information:\n"
                              "    compat: 1.1\n"
                              "    compression type: zlib\n"
                              "    lazy refcounts: false\n"
                              "    refcount bits: 16\n"
                              "    corrupt: false\n"
                              "    extended l2: false\n");
}

static void test_snapshot_table(void)
{
    if (g_test_subprocess()) {
        QEMUSnapshotInfo sn = {
            .id_str = "1", .name = "snap1", .vm_state_size = 0,
            .date_sec = 0, .vm_clock_nsec = 3723004000000ULL, .icount = 0,
        };

        setenv("TZ", "UTC", 1);
        tzset();
        bdrv_snapshot_dump(NULL);
        printf("\n");
        bdrv_snapshot_dump(&sn);
        printf("\n");
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout(
        "ID        TAG               VM SIZE                DATE     "
        "VM CLOCK     ICOUNT\n"
        "1         snap1                 0 B 1970-01-01 00:00:00 "
        "01:02:03.004          0\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/block-qapi/members", test_members);
    g_test_add_func("/block-qapi/json-order", test_json_order);
    g_test_add_func("/block-qapi/specific-json", test_specific_json);
    g_test_add_func("/block-qapi/human-dump", test_human_dump);
    g_test_add_func("/block-qapi/snapshot-table", test_snapshot_table);
    return g_test_run();
}
