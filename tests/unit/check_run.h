/* check_run: the tail every unit test's main() shares: run the suite, report, exit status. */
#ifndef STRATA_TESTS_CHECK_RUN_H
#define STRATA_TESTS_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

/* Runs s (and frees it with its runner); EXIT_SUCCESS only if every test passed. */
static inline int check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
