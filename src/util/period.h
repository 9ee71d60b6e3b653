/* period: assessment periods (month, quarter, half-year, year), their canonical codes
 * ("2025-09", "2025-Q3", "2025-H1", "2025") and the Chinese forms clerks type. */
#ifndef SAIMA_PERIOD_H
#define SAIMA_PERIOD_H

#include <stddef.h>

enum period_kind { PERIOD_MONTH = 0, PERIOD_QUARTER, PERIOD_HALF, PERIOD_YEAR };

/* A period: seq is the month (1-12), quarter (1-4), half (1-2) or 1 for a year. */
typedef struct period_key {
    int kind;
    int year;
    int seq;
} period_key;

#define PERIOD_CODE_MAX 16
#define PERIOD_YEAR_MIN 1949
#define PERIOD_YEAR_MAX 2200

/* Parses a period in canonical or common form: 2025-09, 2025-9, 202509, 2025/09, 2025年9月,
 * 2025年1-9月 (cumulative to September), 2025-Q3, 2025Q3, 2025年三季度, 2025-H1, 2025年上半年,
 * 2025, 2025年. Returns 0, or ERR_DATA with a detail message naming the reason. */
int period_parse(const char *text, period_key *out);

/* Nonzero when text has the form of a period but a part of it is out of range (the year,
 * else the month, quarter or half); *lo..*hi is then that part's allowed range. */
int period_out_of_range(const char *text, int *lo, int *hi);

/* Writes the canonical code of p into buf (at least PERIOD_CODE_MAX bytes). */
void period_format(const period_key *p, char *buf, size_t size);

/* Parses a period kind name: month|quarter|half|year or 月|季|半年|年. Returns 0 or ERR_DATA. */
int period_kind_parse(const char *text, int *kind);

/* The English name of a kind ("month"). */
const char *period_kind_name(int kind);

/* The last month (1-12) a period covers: a quarter's third month, a year's December. */
int period_last_month(const period_key *p);

/* A number that orders periods by their end, then by length (month before quarter). */
long period_ordinal(const period_key *p);

/* The period of the same kind just before p (2025-01 -> 2024-12). */
period_key period_prev(const period_key *p);

/* The same period one year earlier. */
period_key period_last_year(const period_key *p);

/* Parses a calendar date "YYYY-MM-DD" (a real day: 2025-02-29 is refused) into *year, *month,
 * *day. Returns 0 or ERR_DATA. */
int period_parse_date(const char *text, int *year, int *month, int *day);

/* Nonzero when a and b are the same period. */
int period_equal(const period_key *a, const period_key *b);

#endif
