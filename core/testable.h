/*
 * testable.h - TESTABLE marks a function that is static in the product and
 * visible to tests/unit/ in a test build (-DCOHORT_TESTING), as curl's
 * UNITTEST does. Declare such functions in the module's header inside
 * #ifdef COHORT_TESTING.
 */
#ifndef COHORT_TESTABLE_H
#define COHORT_TESTABLE_H

#ifdef COHORT_TESTING
#define TESTABLE
#else
#define TESTABLE static
#endif

#endif
