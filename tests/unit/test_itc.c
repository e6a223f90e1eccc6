/* Interval tree clocks (src/lib/itc.c): the paper's example run, normal forms, fill and grow,
 * comparison, errors and limits, a seeded random system checked against an oracle of the
 * events each stamp knows, the text form, and allocation failures. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/itc.h"
#include "check_run.h"
#include "itc_check.h"

/* ---- Allocation failures: malloc and free interposed (glibc, no sanitizer of malloc) ---- */

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) ||                         \
        __has_feature(thread_sanitizer)
#define NO_MALLOC_HOOK 1
#endif
#endif
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) &&       \
        !defined(NO_MALLOC_HOOK)
#define MALLOC_HOOK 1
extern void *__libc_malloc(size_t n);
extern void __libc_free(void *p);

/* While on: counts the allocations that succeed and the frees, and fails the one numbered
 * fail_at (from 0). Volatile: the compiler takes malloc for a builtin that touches no
 * globals, and would move or drop the stores around a call. */
static volatile struct {
	bool on;
	long fail_at, mallocs, frees;
} hook;

static void hook_arm(long fail_at)
{
	hook.mallocs = 0;
	hook.frees = 0;
	hook.fail_at = fail_at;
	hook.on = true;
}

void *malloc(size_t n)
{
	if (hook.on && hook.mallocs == hook.fail_at) {
		hook.fail_at = -1;
		return NULL;
	}
	if (hook.on)
		hook.mallocs++;
	return __libc_malloc(n);
}

void free(void *p)
{
	if (hook.on && p)
		hook.frees++;
	__libc_free(p);
}
#endif

/* ---- The paper's example run ---- */

START_TEST(paper_example)
{
	strata_itc_t a, b, c, d;

	ck_assert_int_eq(strata_itc_seed(&a), 0);
	expect_text(&a, "(1,0)");
	ck_assert_int_eq(strata_itc_fork(&a, &b), 0);
	expect_text(&a, "((1,0),0)");
	expect_text(&b, "((0,1),0)");
	ck_assert_int_eq(strata_itc_event(&a), 0);
	expect_text(&a, "((1,0),(0,1,0))");
	ck_assert_int_eq(strata_itc_event(&b), 0);
	expect_text(&b, "((0,1),(0,0,1))");
	ck_assert_int_eq(strata_itc_compare(&a, &b), STRATA_CONCURRENT);

	ck_assert_int_eq(strata_itc_fork(&a, &c), 0);
	expect_text(&a, "(((1,0),0),(0,1,0))");
	expect_text(&c, "(((0,1),0),(0,1,0))");
	ck_assert_int_eq(strata_itc_event(&b), 0);
	expect_text(&b, "((0,1),(0,0,2))");
	ck_assert_int_eq(strata_itc_event(&a), 0);
	expect_text(&a, "(((1,0),0),(0,(1,1,0),0))");

	ck_assert_int_eq(strata_itc_join(&b, &c), 0);
	expect_text(&b, "(((0,1),1),(1,0,1))");
	ck_assert_int_eq(strata_itc_fork(&b, &c), 0);
	expect_text(&b, "(((0,1),0),(1,0,1))");
	expect_text(&c, "((0,1),(1,0,1))");
	ck_assert_int_eq(strata_itc_compare(&a, &b), STRATA_CONCURRENT);

	ck_assert_int_eq(strata_itc_join(&a, &b), 0);
	expect_text(&a, "((1,0),(1,(0,1,0),1))");
	ck_assert_int_eq(strata_itc_compare(&c, &a), STRATA_BEFORE);
	ck_assert_int_eq(strata_itc_event(&a), 0);
	expect_text(&a, "((1,0),2)");
	ck_assert_int_eq(strata_itc_compare(&a, &c), STRATA_AFTER);

	/* Retiring the last fork gives the seed's id back, and one leaf of events. */
	ck_assert_int_eq(strata_itc_copy(&a, &d), 0);
	ck_assert_int_eq(strata_itc_join(&a, &c), 0);
	expect_text(&a, "(1,2)");
	ck_assert_uint_eq(strata_itc_nodes(&a), 2);
	ck_assert_int_eq(strata_itc_compare(&a, &d), STRATA_EQUAL);
	strata_itc_free(&a);
	strata_itc_free(&d);
}
END_TEST

/* ---- Normal form ---- */

START_TEST(id_normalisation)
{
	expect_join("((1,0),0)", "((0,1),0)", "(1,0)");
	expect_join("(((1,0),0),0)", "(((0,1),0),0)", "((1,0),0)");
	expect_join("((1,(1,0)),0)", "((0,(0,1)),0)", "(1,0)"); /* collapses two levels */
	expect_join("((1,0),0)", "((0,(0,1)),0)", "((1,(0,1)),0)");
	expect_join("(0,0)", "((0,1),0)", "((0,1),0)"); /* sum(0, i) = i */
	expect_join("((1,0),0)", "(0,0)", "((1,0),0)"); /* sum(i, 0) = i */
	/* Parsing refuses (0,0) and (1,1) anywhere. */
	ck_assert_int_eq(strata_itc_parse(&(strata_itc_t){0}, "((0,0),0)"), -EBADMSG);
	ck_assert_int_eq(strata_itc_parse(&(strata_itc_t){0}, "((1,1),0)"), -EBADMSG);
	ck_assert_int_eq(strata_itc_parse(&(strata_itc_t){0}, "(((1,1),0),0)"), -EBADMSG);
}
END_TEST

START_TEST(event_normalisation)
{
	expect_join("((1,0),(0,1,0))", "((0,1),(0,0,1))", "(1,1)"); /* (n, m, m) -> n + m */
	expect_join("(0,(1,0,2))", "(0,(0,3,0))", "(0,3)");
	expect_join("(0,(0,(0,1,0),0))", "(0,(0,(0,0,1),1))", "(0,1)"); /* two levels */
	expect_join("(0,(0,2,0))", "(0,(0,0,1))", "(0,(1,1,0))");       /* lift the min */
	expect_join("(0,(2,(0,1,0),0))", "(0,(1,0,3))", "(0,(2,(0,1,0),2))");
	expect_join("(0,5)", "(0,(1,0,7))", "(0,(5,0,3))"); /* a leaf joins as (n, 0, 0) */
	ck_assert_int_eq(strata_itc_parse(&(strata_itc_t){0}, "(1,(0,1,1))"), -EBADMSG);
	ck_assert_int_eq(strata_itc_parse(&(strata_itc_t){0}, "(1,(0,0,0))"), -EBADMSG);
	ck_assert_int_eq(strata_itc_parse(&(strata_itc_t){0}, "(1,(0,1,2))"), -EBADMSG);
	ck_assert_int_eq(strata_itc_parse(&(strata_itc_t){0}, "(1,(0,(1,0,1),2))"), -EBADMSG);
	ck_assert_int_eq(strata_itc_parse(&(strata_itc_t){0}, "(1,(0,(0,2,2),0))"), -EBADMSG);
}
END_TEST

START_TEST(fill_and_grow)
{
	expect_event("(1,0)", "(1,1)");               /* grow(1, n) */
	expect_event("(1,(0,1,0))", "(1,1)");         /* fill(1, e) = max(e) */
	expect_event("(1,(0,(0,0,3),1))", "(1,3)");   /* max of a deeper tree */
	expect_event("((1,0),(0,0,1))", "((1,0),1)"); /* fill((1, ir), e) */
	expect_event("((0,1),(0,2,0))", "((0,1),2)"); /* fill((il, 1), e) */
	expect_event("((1,0),(0,0,2))", "((1,0),2)"); /* up to the right's min */
	expect_event("((1,0),(0,0,(1,0,2)))", "((1,0),(1,0,(0,0,2)))");
	expect_event("((0,(1,0)),(0,0,(0,0,1)))", "((0,(1,0)),(0,0,1))");
	/* Nothing to fill: grow, the cheapest way. An expansion costs most. */
	expect_event("(((1,0),(0,1)),(0,(0,1,0),0))", "(((1,0),(0,1)),(0,(0,2,0),0))");
	expect_event("(((1,0),(0,1)),(0,0,(0,0,1)))", "(((1,0),(0,1)),(0,0,(0,0,2)))");
	/* Both sides expand: equal costs take the right. */
	expect_event("(((1,0),(0,1)),0)", "(((1,0),(0,1)),(0,0,(0,0,1)))");
	/* A short growth beats a long one when both need no expansion. */
	expect_event("(((1,0),((0,1),0)),(0,(0,1,0),(0,(0,0,1),0)))",
	             "(((1,0),((0,1),0)),(0,(0,2,0),(0,(0,0,1),0)))");
	expect_event("((((1,0),0),(0,1)),(0,(0,(0,1,0),0),(0,0,1)))",
	             "((((1,0),0),(0,1)),(0,(0,(0,1,0),0),(0,0,2)))");
	/* Fewer expansions beat a shorter path. */
	expect_event("((((1,0),0),(0,1)),(0,(0,(0,1,0),0),1))",
	             "((((1,0),0),(0,1)),(0,(0,(0,2,0),0),1))");
}
END_TEST

/* ---- Comparison ---- */

START_TEST(compare_cases)
{
	strata_itc_t e = {0}, s;

	expect_order("(1,0)", "(1,0)", STRATA_EQUAL);
	expect_order("(1,1)", "(0,2)", STRATA_BEFORE); /* ids do not matter */
	expect_order("(0,3)", "((1,0),2)", STRATA_AFTER);
	expect_order("(0,(0,1,0))", "(0,(0,0,1))", STRATA_CONCURRENT);
	expect_order("(0,(0,1,0))", "(0,1)", STRATA_BEFORE);
	expect_order("(0,(1,0,2))", "(0,1)", STRATA_AFTER);
	expect_order("(0,2)", "(0,(1,0,2))", STRATA_CONCURRENT);
	expect_order("(0,1)", "(0,(1,0,2))", STRATA_BEFORE);
	expect_order("(0,(0,(0,1,0),0))", "(0,(0,1,0))", STRATA_BEFORE);
	expect_order("(0,(0,(0,2,0),0))", "(0,(0,1,0))", STRATA_CONCURRENT);
	expect_order("(0,(1,(0,2,0),0))", "(0,(1,0,2))", STRATA_CONCURRENT);
	expect_order("(0,(1,(0,2,0),0))", "(0,(1,2,0))", STRATA_BEFORE);
	/* An empty stamp compares as the events 0. */
	parse_ok(&s, "(0,(0,0,1))");
	ck_assert_int_eq(strata_itc_compare(&e, &s), STRATA_BEFORE);
	ck_assert_int_eq(strata_itc_compare(&e, &e), STRATA_EQUAL);
	strata_itc_free(&s);
}
END_TEST

/* ---- Join, peek, fork, event: errors ---- */

static void expect_overlap(const char *a, const char *b)
{
	strata_itc_t x, y;
	parse_ok(&x, a);
	parse_ok(&y, b);
	ck_assert_int_eq(strata_itc_join(&x, &y), -EINVAL);
	expect_text(&x, a);
	expect_text(&y, b);
	strata_itc_free(&x);
	strata_itc_free(&y);
}

START_TEST(join_overlap)
{
	strata_itc_t s, t;

	expect_overlap("(1,0)", "(1,0)");
	expect_overlap("(1,0)", "((0,1),3)");
	expect_overlap("((0,1),3)", "(1,0)");
	expect_overlap("((1,0),0)", "(((0,1),0),0)");
	expect_overlap("((1,(0,1)),0)", "((0,((1,0),1)),0)");
	ck_assert_int_eq(strata_itc_seed(&s), 0);
	ck_assert_int_eq(strata_itc_join(&s, &s), -EINVAL);
	ck_assert_int_eq(strata_itc_copy(&s, &t), 0);
	ck_assert_int_eq(strata_itc_join(&s, &t), -EINVAL);
	strata_itc_free(&t);
	t = (strata_itc_t){0};
	ck_assert_int_eq(strata_itc_join(&s, &t), -EINVAL); /* empty */
	ck_assert_int_eq(strata_itc_join(&t, &s), -EINVAL);
	expect_text(&s, "(1,0)");
	strata_itc_free(&s);
}
END_TEST

START_TEST(peek_anonymous)
{
	strata_itc_t s, p, q;

	parse_ok(&s, "((1,0),(0,1,0))");
	ck_assert_int_eq(strata_itc_is_anonymous(&s), 0);
	ck_assert_int_eq(strata_itc_peek(&s, &p), 0);
	expect_text(&p, "(0,(0,1,0))");
	ck_assert_int_eq(strata_itc_is_anonymous(&p), 1);
	ck_assert_int_eq(strata_itc_compare(&s, &p), STRATA_EQUAL);
	ck_assert_int_eq(strata_itc_event(&p), -EINVAL);
	expect_text(&p, "(0,(0,1,0))");
	ck_assert_int_eq(strata_itc_fork(&p, &q), 0); /* forks of anonymous are anonymous */
	expect_text(&p, "(0,(0,1,0))");
	expect_text(&q, "(0,(0,1,0))");
	ck_assert_int_eq(strata_itc_join(&p, &q), 0); /* 0 and 0 do not overlap */
	expect_text(&p, "(0,(0,1,0))");
	ck_assert_int_eq(strata_itc_event(&s), 0);
	ck_assert_int_eq(strata_itc_compare(&p, &s), STRATA_BEFORE);
	ck_assert_int_eq(strata_itc_join(&s, &p), 0); /* receiving an old message */
	expect_text(&s, "((1,0),(0,2,0))");
	/* Bad arguments; the outputs are left empty. */
	ck_assert_int_eq(strata_itc_peek(&s, &s), -EINVAL);
	ck_assert_int_eq(strata_itc_copy(&s, &s), -EINVAL);
	ck_assert_int_eq(strata_itc_fork(&s, &s), -EINVAL);
	ck_assert_int_eq(strata_itc_peek(&s, NULL), -EINVAL);
	expect_text(&s, "((1,0),(0,2,0))");
	p = (strata_itc_t){0};
	q.id = (void *)&q; /* garbage, overwritten */
	ck_assert_int_eq(strata_itc_peek(&p, &q), -EINVAL);
	ck_assert_ptr_null(q.id);
	ck_assert_int_eq(strata_itc_event(&p), -EINVAL);
	ck_assert_int_eq(strata_itc_is_anonymous(&p), 0);
	ck_assert_uint_eq(strata_itc_nodes(&p), 0);
	ck_assert_uint_eq(strata_itc_encode(&p, NULL, 0), 0);
	expect_text(&p, "");
	strata_itc_free(&p);
	strata_itc_free(NULL);
	ck_assert_int_eq(strata_itc_seed(NULL), -EINVAL);
	strata_itc_free(&s);
}
END_TEST

START_TEST(fork_depth_limit)
{
	strata_itc_t s, t;
	char *before;

	ck_assert_int_eq(strata_itc_seed(&s), 0);
	for (int i = 0; i < STRATA_MAX_ITC_DEPTH; i++) {
		ck_assert_int_eq(strata_itc_fork(&s, &t), 0);
		strata_itc_free(&t);
	}
	ck_assert_int_eq(strata_itc_event(&s), 0); /* grows an event tree as deep as the id */
	ck_assert_uint_eq(strata_itc_nodes(&s), 4 * STRATA_MAX_ITC_DEPTH + 2);
	check_codec(&s);
	before = text_of(&s);
	ck_assert_int_eq(strata_itc_fork(&s, &t), -EOVERFLOW);
	ck_assert_ptr_null(t.id);
	ck_assert_ptr_null(t.ev);
	expect_text(&s, before);
	free(before);
	strata_itc_free(&s);
}
END_TEST

START_TEST(event_overflow)
{
	strata_itc_t s;

	parse_ok(&s, "(1,18446744073709551613)");
	ck_assert_int_eq(strata_itc_event(&s), 0);
	expect_text(&s, "(1,18446744073709551614)");
	ck_assert_int_eq(strata_itc_event(&s), -EOVERFLOW);
	expect_text(&s, "(1,18446744073709551614)");
	check_codec(&s);
	strata_itc_free(&s);
	/* Fill reaches the top without passing it; the grow after it would. */
	parse_ok(&s, "((1,0),(0,0,18446744073709551614))");
	ck_assert_int_eq(strata_itc_event(&s), 0);
	expect_text(&s, "((1,0),18446744073709551614)");
	ck_assert_int_eq(strata_itc_event(&s), -EOVERFLOW);
	expect_text(&s, "((1,0),18446744073709551614)");
	strata_itc_free(&s);
	/* Only the counter grow would raise matters. */
	parse_ok(&s, "(((1,0),0),(0,(0,0,(0,18446744073709551614,0)),0))");
	ck_assert_int_eq(strata_itc_event(&s), 0);
	expect_text(&s, "(((1,0),0),(0,(0,1,(0,18446744073709551614,0)),0))");
	strata_itc_free(&s);
}
END_TEST

START_TEST(property_oracle)
{
	for (unsigned seed = 1; seed <= 20; seed++) {
		struct sim m;
		strata_itc_t before;

		printf("test_itc: seed %u\n", seed);
		fflush(stdout);
		sim_init(&m, seed);
		for (int step = 0; step < 2500; step++) {
			int c = sim_step(&m);
			for (int i = 0; i < m.n; i++)
				sim_check_pair(&m, c, i);
			if (step % 500 == 0)
				for (int i = 0; i < m.n; i++)
					for (int j = 0; j < m.n; j++)
						sim_check_pair(&m, i, j);
		}
		sim_retire_all(&m);
		ck_assert_int_eq(strata_itc_copy(&m.s[0], &before), 0);
		/* With the whole id, one event fills the tree into a single leaf. */
		ck_assert_int_eq(strata_itc_event(&m.s[0]), 0);
		ck_assert_uint_eq(strata_itc_nodes(&m.s[0]), 2);
		ck_assert_int_eq(strata_itc_compare(&before, &m.s[0]), STRATA_BEFORE);
		strata_itc_free(&before);
		sim_free(&m);
	}
}
END_TEST

/* ---- Text ---- */

START_TEST(text_parse_format)
{
	static const char *const bad[] = {
	        "",
	        "(",
	        "1",
	        "(1,0",
	        "(1,0))",
	        "(1,0)x",
	        " (1,0)",
	        "(1, 0)",
	        "(2,0)",
	        "(1,01)",
	        "(1,-1)",
	        "(1,(0,1))",
	        "((1,0,1),0)",
	        "((1),0)",
	        "(1,(0,0,1,2))",
	        "(1,18446744073709551615)",       /* UINT64_MAX has no gamma code */
	        "(1,18446744073709551616)",       /* past 64 bits */
	        "(1,99999999999999999999)",       /* past 64 bits */
	        "(1,(1,0,18446744073709551614))", /* a sum past the top */
	        "(1,0,0)",
	};
	strata_itc_t s;
	char buf[8];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		s.id = (void *)&s;
		ck_assert_msg(strata_itc_parse(&s, bad[i]) == -EBADMSG, "accepted \"%s\"", bad[i]);
		ck_assert_ptr_null(s.id);
		ck_assert_ptr_null(s.ev);
	}
	ck_assert_int_eq(strata_itc_parse(&s, NULL), -EINVAL);
	ck_assert_int_eq(strata_itc_parse(NULL, "(1,0)"), -EINVAL);
	parse_ok(&s, "(1,(18446744073709551613,0,1))");
	strata_itc_free(&s);
	parse_ok(&s, "(((0,1),1),(1,0,(0,(0,10,0),3)))");
	/* snprintf-like: a NUL-terminated prefix, the whole length. */
	memset(buf, 'x', sizeof buf);
	ck_assert_uint_eq(strata_itc_format(&s, buf, sizeof buf), 32);
	ck_assert_str_eq(buf, "(((0,1)");
	ck_assert_uint_eq(strata_itc_format(&s, buf, 1), 32);
	ck_assert_str_eq(buf, "");
	buf[0] = 'x';
	ck_assert_uint_eq(strata_itc_format(&s, buf, 0), 32);
	ck_assert_int_eq(buf[0], 'x');
	ck_assert_uint_eq(strata_itc_format(&s, NULL, 0), 32);
	strata_itc_free(&s);
}
END_TEST

/* ---- Allocation failures ---- */

#ifdef MALLOC_HOOK
typedef int (*op_fn)(strata_itc_t *a, strata_itc_t *b);

static int op_fork(strata_itc_t *a, strata_itc_t *b)
{
	return strata_itc_fork(a, b);
}

static int op_join(strata_itc_t *a, strata_itc_t *b)
{
	return strata_itc_join(a, b);
}

static int op_event(strata_itc_t *a, strata_itc_t *b)
{
	return strata_itc_event(a);
}

static int op_peek(strata_itc_t *a, strata_itc_t *b)
{
	return strata_itc_peek(a, b);
}

static int op_copy(strata_itc_t *a, strata_itc_t *b)
{
	return strata_itc_copy(a, b);
}

static int op_seed(strata_itc_t *a, strata_itc_t *b)
{
	return strata_itc_seed(b);
}

static int op_decode(strata_itc_t *a, strata_itc_t *b)
{
	uint8_t buf[256];
	size_t n = strata_itc_encode(a, buf, sizeof buf);
	return n <= sizeof buf ? strata_itc_decode(b, buf, n) : -E2BIG;
}

static int op_parse(strata_itc_t *a, strata_itc_t *b)
{
	char buf[256];
	size_t n = strata_itc_format(a, buf, sizeof buf);
	return n < sizeof buf ? strata_itc_parse(b, buf) : -E2BIG;
}

/* Whether this file's malloc is the one called (valgrind, for one, replaces it). */
static bool hook_works(void)
{
	void *volatile p;

	hook_arm(0);
	p = malloc(1);
	hook.on = false;
	free(p);
	return p == NULL;
}

/* Fails the k-th allocation of op for k = 0, 1, ... until op succeeds: each failure must
 * return -ENOMEM and leave both stamps as they were, and every run must free exactly the
 * allocations that the result does not hold. */
static void check_nomem(const char *a_text, const char *b_text, op_fn op)
{
	for (long k = 0;; k++) {
		strata_itc_t a = {0}, b = {0};
		char *ta, *tb;
		int err;

		parse_ok(&a, a_text);
		if (b_text)
			parse_ok(&b, b_text);
		ta = text_of(&a);
		tb = text_of(&b);
		long held = (long)(strata_itc_nodes(&a) + strata_itc_nodes(&b));
		hook_arm(k);
		err = op(&a, &b);
		hook.on = false;
		held = (long)(strata_itc_nodes(&a) + strata_itc_nodes(&b)) - held;
		ck_assert_int_eq(hook.mallocs - hook.frees, held);
		if (!err) {
			ck_assert_int_eq(hook.fail_at, k); /* no allocation failed */
			strata_itc_free(&a);
			strata_itc_free(&b);
			free(ta);
			free(tb);
			return;
		}
		ck_assert_int_eq(err, -ENOMEM);
		ck_assert_int_eq(hook.mallocs, hook.frees);
		expect_text(&a, ta);
		expect_text(&b, tb);
		strata_itc_free(&a);
		strata_itc_free(&b);
		free(ta);
		free(tb);
		ck_assert_int_lt(k, 10000);
	}
}
#endif

START_TEST(alloc_failures)
{
#ifdef MALLOC_HOOK
	static const char *const stamps[] = {
	        "(1,0)",
	        "((1,0),(0,1,0))",
	        "(((1,0),0),(0,(1,1,0),0))",
	        "(((1,0),(0,1)),(0,(0,1,0),0))",
	        "((0,(1,0)),(0,0,(0,0,1)))",
	        "((((1,0),0),(0,1)),(0,(0,(0,1,0),0),1))",
	        "(((1,0),(0,1)),0)",
	};
	if (!hook_works())
		return; /* malloc is replaced again (valgrind): nothing to inject into */
	for (size_t i = 0; i < sizeof stamps / sizeof stamps[0]; i++) {
		check_nomem(stamps[i], NULL, op_fork);
		check_nomem(stamps[i], NULL, op_event);
		check_nomem(stamps[i], NULL, op_peek);
		check_nomem(stamps[i], NULL, op_copy);
		check_nomem(stamps[i], NULL, op_decode);
		check_nomem(stamps[i], NULL, op_parse);
	}
	check_nomem("(1,0)", NULL, op_seed);
	check_nomem("(((1,0),0),(0,(1,1,0),0))", "(((0,1),0),(1,0,(0,0,2)))", op_join);
	check_nomem("((1,(0,1)),(0,(0,3,0),0))", "((0,(1,0)),(0,0,(0,0,1)))", op_join);
	check_nomem("((1,0),5)", "(0,(1,0,(0,2,0)))", op_join);
#endif
}
END_TEST

static Suite *itc_suite(void)
{
	Suite *s = suite_create("itc");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, paper_example);
	tcase_add_test(tc, id_normalisation);
	tcase_add_test(tc, event_normalisation);
	tcase_add_test(tc, fill_and_grow);
	tcase_add_test(tc, compare_cases);
	tcase_add_test(tc, join_overlap);
	tcase_add_test(tc, peek_anonymous);
	tcase_add_test(tc, fork_depth_limit);
	tcase_add_test(tc, event_overflow);
	tcase_add_test(tc, property_oracle);
	tcase_add_test(tc, text_parse_format);
	tcase_add_test(tc, alloc_failures);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(itc_suite());
}
