/*
 * jsonsimd.cc: the JSON scanner's check (common/json.h, jt_parse) beside
 * simdjson's (Debian's libsimdjson-dev: dom::parser::parse, which checks
 * the whole grammar and UTF-8, with the SIMD kernel the CPU takes) on
 * the same messages, CPU time per message.  C++ only because simdjson
 * is; it is a bench peer, like iceoryx and nchan, not part of tickpipe.
 *
 * The two run in alternate rounds over the whole set, each round at least
 * 25 ms; the first round of each way warms it and is not counted, ten
 * more each way are, so that a change in the machine's speed during the
 * run falls on both.  A message the two judge differently fails the run:
 * the numbers are only worth something for the same work.  Each message
 * is held in simdjson's padded buffer, made once, outside the timing; a
 * parser of each kind is reused, as a program reading a feed would.
 *
 * usage: jsonsimd file ...
 * Each file holds one message per line.  Prints one line: "messages
 * mean_bytes jt_parse_ns simdjson_ns version kernel", the CPU nanoseconds
 * per message of each, simdjson's version and the name of its kernel
 * (icelake, haswell, westmere, fallback).
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include <simdjson.h>

#define STR_(x)	#x
#define STR(x)	STR_(x)

extern "C" {
#include "json.h"
}

static int64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

enum way { W_JT, W_SIMD };

/* One round over every message one way; returns how many were valid. */
static size_t
round1(const std::vector<simdjson::padded_string> &m, enum way w,
    simdjson::dom::parser &sp)
{
	size_t ok = 0;

	for (const auto &s : m) {
		if (w == W_JT) {
			struct jv root;

			ok += jt_parse(s.data(), s.size(), &root) == 0;
		} else {
			simdjson::dom::element e;

			ok += sp.parse(s).get(e) == simdjson::SUCCESS;
		}
	}
	return ok;
}

int
main(int argc, char **argv)
{
	std::vector<simdjson::padded_string> m;
	simdjson::dom::parser sp;
	size_t bytes = 0;
	int64_t t[2] = { 0, 0 };
	size_t rounds[2] = { 0, 0 };
	volatile size_t sink = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: jsonsimd file ...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		std::ifstream in(argv[i]);
		std::string line;

		if (!in) {
			fprintf(stderr, "jsonsimd: %s: cannot open\n", argv[i]);
			return 1;
		}
		while (std::getline(in, line)) {
			if (line.empty())
				continue;
			bytes += line.size();
			m.emplace_back(line);
		}
	}
	if (m.empty()) {
		fprintf(stderr, "jsonsimd: no messages\n");
		return 1;
	}
	for (size_t i = 0; i < m.size(); i++) {
		struct jv root;
		simdjson::dom::element e;
		bool ours = jt_parse(m[i].data(), m[i].size(), &root) == 0;
		bool theirs = sp.parse(m[i]).get(e) == simdjson::SUCCESS;

		if (ours != theirs) {
			fprintf(stderr, "jsonsimd: message %zu judged "
			    "differently (jt_parse %s, simdjson %s)\n", i + 1,
			    ours ? "valid" : "invalid",
			    theirs ? "valid" : "invalid");
			return 1;
		}
	}
	for (int r = 0; r < 22; r++) {
		enum way w = r % 2 ? W_SIMD : W_JT;
		int64_t t0 = cpu_ns(), d;
		size_t n = 0;

		do {
			sink += round1(m, w, sp);
			n++;
		} while ((d = cpu_ns() - t0) < 25000000);
		if (r < 2)
			continue;
		t[w] += d;
		rounds[w] += n;
	}
	(void)sink;
	printf("%zu %zu %.0f %.0f %s %s\n", m.size(), bytes / m.size(),
	    (double)t[W_JT] / ((double)rounds[W_JT] * (double)m.size()),
	    (double)t[W_SIMD] / ((double)rounds[W_SIMD] * (double)m.size()),
	    STR(SIMDJSON_VERSION),
	    simdjson::get_active_implementation()->name().c_str());
	return 0;
}
