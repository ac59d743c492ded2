/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helper header for gas-dialect.S (cpp macros in the style of MCST tests) */
#define str_HELPER(X) #X
#define str(X) str_HELPER(X)
#define glue_helper(A, B) A ## B
#define glue(A, B) glue_helper(A, B)
#define glue3(A, B, C) glue(glue(A, B), C)
#define local(LABEL) glue3(.L, LABEL, __LINE__)
