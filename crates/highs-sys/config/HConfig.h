/* HiGHS's configuration header, written by hand for allot's build (build.rs) in place of the
 * one cmake writes from highs/HConfig.h.in. It matches what HiGHS 1.16.0's cmake build writes
 * with the options the crates.io highs-sys 1.16.0 uses: FAST_BUILD=ON, ZLIB=OFF, no GPU, no
 * HiPO (its extras library is looked for at run time and not shipped), 32-bit HighsInt, a
 * Release build. The three compiler probes cmake runs are answered per target below. */
#ifndef HCONFIG_H_
#define HCONFIG_H_

#define FAST_BUILD
/* #undef ZLIB_FOUND */
#define CUPDLP_CPU
/* #undef CUPDLP_GPU */
/* #undef HIPO */
#define HIGHS_SHARED_EXTRAS_LIBRARY
#define CMAKE_BUILD_TYPE "Release"
/* #undef HIGHSINT64 */
/* #undef HIGHS_NO_DEFAULT_THREADS */

/* cmake's probes: _mm_pause (x86), __builtin_clz (GCC and Clang), _BitScanReverse (MSVC). */
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
#define HIGHS_HAVE_MM_PAUSE
#endif
#if defined(__GNUC__) || defined(__clang__)
#define HIGHS_HAVE_BUILTIN_CLZ
#elif defined(_MSC_VER)
#define HIGHS_HAVE_BITSCAN_REVERSE
#endif

#define HIGHS_GITHASH "n/a"
#define HIGHS_VERSION_MAJOR 1
#define HIGHS_VERSION_MINOR 16
#define HIGHS_VERSION_PATCH 0

#endif /* HCONFIG_H_ */
