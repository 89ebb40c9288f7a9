# Fits the polynomials of erf in assembly/math.ts and src/backend/math.ts (the same table in
# both) and prints them as f64 literals. Needs Python 3 with mpmath (Debian: python3-mpmath).
#   |x| < 1:      erf(x) = x·P0(x²), P0 a Chebyshev fit of erf(√z)/√z on z ∈ [0, 1]
#   1 ≤ |x| < 6:  erf(x) = 1 − e^{−x²}·Pk(x − ck), Pk a Chebyshev fit of erfc(x)·e^{x²} (which
#                 is smooth and slowly varying) on [1, 2], [2, 3.5], [3.5, 6], ck the midpoint
#   |x| ≥ 6:      erf(x) = 1 (erfc(6) ≈ 2e−17 is below half an ulp of 1)
# The degrees are the smallest whose fit error is below 1e−17 in erf (a tenth of an ulp of the
# result); test/fixtures/erf-reference.json measures the whole routine (scripts/erf-reference.py).
import mpmath as mp

mp.mp.dps = 40
TOL = mp.mpf('1e-17')
erf_over_x = lambda z: mp.erf(mp.sqrt(z)) / mp.sqrt(z) if z > 0 else 2 / mp.sqrt(mp.pi)
erfcx = lambda x: mp.erfc(x) * mp.exp(x * x)

def smallest(f, a, b, ok):
    for n in range(2, 30):
        poly, err = mp.chebyfit(f, [a, b], n, error=True)
        if ok(err):
            return poly

table = []  # highest degree first, as Horner's rule reads them
p0 = smallest(erf_over_x, 0, 1, lambda e: e < TOL / 4)
table.append((0, p0))
for a, b in [(1, 2), (2, 3.5), (3.5, 6)]:
    c = mp.mpf(a + b) / 2
    pk = smallest(lambda t: erfcx(t + c), a - c, b - c, lambda e: e * mp.exp(-mp.mpf(a) ** 2) < TOL)
    table.append((float(c), pk))
print('// offsets:', [sum(len(p) for _, p in table[:i]) for i in range(len(table) + 1)])
print('// centres:', [c for c, _ in table])
print(',\n'.join(', '.join(repr(float(v)) for v in p) for _, p in table))
