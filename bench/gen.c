// SPDX-License-Identifier: Apache-2.0
//
// gen.c -- synthetic departments for tests, demos and benchmarks: N
// citizens with valid ID numbers, M departments each with its published
// rules and a records export, from a deterministic seed.
//
// The record kinds follow the seed policies (Changzhou, Sanming,
// Shaoxing, Yuxi, Jiangyin): traffic violations, court-listed defaulters,
// tax arrears, volunteering and blood donation, market-regulation
// penalties, housing-fund arrears, awards.  Behaviors that several
// departments report (a court-listed defaulter is also reported by the
// tax bureau) share an official event reference, so that the coordinator
// counts them once.
//
// usage: gen -n CITIZENS -m DEPARTMENTS [-s SEED] [-r RECORDS_PER_CITIZEN] -o
// DIR

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench.h"

typedef struct rule {
	const char *code, *name, *dim;
	int         points, valid_days, severe, shared, repair_bonus;
	int         weight; // how common, relative
} rule;

typedef struct dept {
	const char *name;
	const rule *rules;
	size_t      nrules;
} dept;

#define R(...)              \
	{                   \
		__VA_ARGS__ \
	}
static const rule traffic[] = {
	R("TR01", "闯红灯 running a red light", "negative", -5, 365, 0, 0, 2,
	    30),
	R("TR02", "酒后驾驶 drunk driving", "negative", -50, 1095, 1, 1, 10, 3),
	R("TR03", "超速50%以上 speeding over 50%", "negative", -20, 730, 0, 0,
	    5, 8),
	R("TR04", "文明驾驶 a year without violation", "positive", 10, 365, 0,
	    0, 0, 40),
};
static const rule court[] = {
	R("CT01", "失信被执行人 court-listed defaulter", "negative", -100, 1095,
	    1, 1, 20, 4),
	R("CT02", "拒不履行判决 refusing a judgment", "negative", -60, 1095, 1,
	    0, 10, 2),
	R("CT03", "人民陪审员 serving as lay juror", "positive", 15, 1095, 0, 0,
	    0, 5),
};
static const rule tax[] = {
	R("TX01", "失信被执行人（税务） defaulter reported by tax", "negative",
	    -80, 1095, 1, 1, 15, 4),
	R("TX02", "欠税 tax arrears", "negative", -30, 1095, 0, 0, 10, 6),
	R("TX03", "纳税信用A级 A-grade taxpayer", "positive", 20, 365, 0, 0, 0,
	    20),
};
static const rule civil[] = {
	R("CV01", "志愿服务100小时 100 hours volunteering", "positive", 10,
	    1095, 0, 1, 0, 25),
	R("CV02", "无偿献血 blood donation", "positive", 15, 1095, 0, 0, 0, 12),
	R("CV03", "见义勇为 heroic act", "positive", 50, 1095, 0, 1, 0, 1),
};
static const rule market[] = {
	R("MK01", "经营异常名录 abnormal business operations", "negative", -20,
	    1095, 0, 0, 5, 5),
	R("MK02", "食品安全违法 food safety violation", "negative", -60, 1095,
	    1, 0, 10, 2),
};
static const rule housing[] = {
	R("HF01", "公积金贷款逾期 housing-fund loan overdue", "negative", -25,
	    730, 0, 0, 5, 6),
	R("HF02", "按时缴存 contributions paid on time", "positive", 5, 365, 0,
	    0, 0, 30),
};
static const rule honours[] = {
	R("HN01", "市级以上表彰 city-level award", "positive", 30, 1095, 0, 1,
	    0, 3),
	R("HN02", "道德模范 moral model", "positive", 40, 1095, 0, 1, 0, 1),
};
#define D(n, r)                                \
	{                                      \
		n, r, sizeof(r) / sizeof(r[0]) \
	}
static const dept depts[] = {
	D("traffic", traffic),
	D("court", court),
	D("tax", tax),
	D("volunteer", civil),
	D("market", market),
	D("housing", housing),
	D("honours", honours),
};
#define NDEPTS (sizeof(depts) / sizeof(depts[0]))

static uint64_t state;

static uint64_t
next(void)
{
	// splitmix64: deterministic for a seed, good enough for test data.
	uint64_t z = (state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

static unsigned
below(unsigned n)
{
	return ((unsigned) (next() % n));
}

// idnum writes a valid GB 11643 number: a Changzhou-area region, a real
// birth date, a sequence and the MOD 11-2 check character.
static void
idnum(char out[19], unsigned i)
{
	static const int w[17]
	    = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char  check[] = "10X98765432";
	static const char *regions[]
	    = { "320402", "320404", "320411", "320412", "320413", "320481" };
	int sum = 0;

	snprintf(out, 19, "%s%04u%02u%02u%03u", regions[i % 6],
	    1950 + below(55), 1 + below(12), 1 + below(28), 1 + (i % 999));
	for (int k = 0; k < 17; k++) {
		sum += (out[k] - '0') * w[k];
	}
	out[17] = check[sum % 11];
	out[18] = '\0';
}

static FILE *
open_out(const char *dir, const char *name, const char *suffix)
{
	char  path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, suffix);
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return (f);
}

static const rule *
pick(const dept *d)
{
	unsigned total = 0, r;

	for (size_t i = 0; i < d->nrules; i++) {
		total += (unsigned) d->rules[i].weight;
	}
	r = below(total);
	for (size_t i = 0; i < d->nrules; i++) {
		if (r < (unsigned) d->rules[i].weight) {
			return (&d->rules[i]);
		}
		r -= (unsigned) d->rules[i].weight;
	}
	return (&d->rules[0]);
}

// open_departments opens the rules and records files of the first m
// departments in dir, writes the rules and the records' header.
static void
open_departments(
    const char *dir, size_t m, FILE *rules[NDEPTS], FILE *recs[NDEPTS])
{
	for (size_t d = 0; d < m; d++) {
		rules[d] = open_out(dir, depts[d].name, ".rules.csv");
		recs[d]  = open_out(dir, depts[d].name, ".records.csv");
		fprintf(rules[d],
		    "code,name,dimension,points,valid_days,severe,shared,"
		    "repair_bonus\n");
		for (size_t i = 0; i < depts[d].nrules; i++) {
			const rule *r = &depts[d].rules[i];

			fprintf(rules[d], "%s,\"%s\",%s,%d,%d,%d,%d,%d\n",
			    r->code, r->name, r->dim, r->points, r->valid_days,
			    r->severe, r->shared, r->repair_bonus);
		}
		fprintf(recs[d],
		    "record_id,id_number,code,event_ref,occurred_on\n");
	}
}

// write_citizens writes n citizens' ID numbers to ids and per records of
// each to the records of m departments: the number of records.
static unsigned long
write_citizens(unsigned long n, unsigned long m, unsigned long per,
    FILE *recs[NDEPTS], FILE *ids)
{
	unsigned long rec_no = 0;
	char          id[19];

	for (unsigned long i = 0; i < n; i++) {
		idnum(id, (unsigned) i);
		fprintf(ids, "%s\n", id);
		for (unsigned long k = 0; k < per; k++) {
			size_t      d = below((unsigned) m);
			const rule *r = pick(&depts[d]);
			char        ref[64];

			// A shared behavior has one official reference, which
			// every department reporting it uses.
			snprintf(ref, sizeof(ref), "%s-%lu-%lu",
			    r->shared ? "EV" : depts[d].name, i, k);
			fprintf(recs[d], "R%08lu,%s,%s,%s,%04u-%02u-%02u\n",
			    ++rec_no, id, r->code, ref, 2023 + below(3),
			    1 + below(12), 1 + below(28));
			// Defaulters are reported by the court and by tax
			// alike.
			if (strcmp(r->code, "CT01") == 0 && m > 2) {
				fprintf(recs[2],
				    "R%08lu,%s,TX01,%s,%04u-%02u-%02u\n",
				    ++rec_no, id, ref, 2023 + below(3),
				    1 + below(12), 1 + below(28));
			}
		}
	}
	return (rec_no);
}

int
main(int argc, char **argv)
{
	unsigned long   n = 0, m = 0, seed = 1, per = 2;
	const char     *dir    = NULL;
	const bench_opt opts[] = {
		{ 'n', .number = &n },
		{ 'm', .number = &m },
		{ 's', .number = &seed },
		{ 'r', .number = &per },
		{ 'o', .text = &dir },
	};
	FILE         *rules[NDEPTS], *recs[NDEPTS], *ids;
	unsigned long rec_no;
	char          usage[128];

	snprintf(usage, sizeof(usage),
	    "usage: gen -n CITIZENS -m DEPARTMENTS (1..%zu) "
	    "[-s SEED] [-r RECORDS_PER_CITIZEN] -o DIR\n",
	    NDEPTS);
	if (!bench_options(argc, argv, opts, 5, usage)) {
		return (2);
	}
	if (n == 0 || m == 0 || m > NDEPTS || dir == NULL) {
		fputs(usage, stderr);
		return (2);
	}
	state = seed;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen: %s: %s\n", dir, strerror(errno));
		return (2);
	}
	open_departments(dir, m, rules, recs);
	ids    = open_out(dir, "citizens", ".txt");
	rec_no = write_citizens(n, m, per, recs, ids);
	for (size_t d = 0; d < m; d++) {
		fclose(rules[d]);
		fclose(recs[d]);
	}
	fclose(ids);
	printf("gen: %lu citizens, %lu departments, %lu records in %s\n", n, m,
	    rec_no, dir);
	return (0);
}
