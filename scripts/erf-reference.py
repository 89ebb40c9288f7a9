# Writes test/fixtures/erf-reference.json: points x and erf(x) correctly rounded to f64, the
# truth the erf of both backends (the exact GELU's) is measured against (test/backends.test.ts).
# Needs Python 3 with mpmath (Debian: python3-mpmath). Run from the repository root.
import json
import random

import mpmath

mpmath.mp.dps = 50
random.seed(20261129)
pts = []
for i in range(1000):  # |x| from 2^-30 to 2^3 (log-uniform), both signs
    pts.append(random.choice([-1, 1]) * 2 ** random.uniform(-30, 3))
for i in range(800):
    pts.append(random.uniform(-6.5, 6.5))
for c in [1.0, 2.0, 3.5, 6.0]:  # the branch points of our erf
    for i in range(100):
        pts.append(random.choice([-1, 1]) * c * (1 + random.uniform(-1e-4, 1e-4)))
ref = [float(mpmath.erf(mpmath.mpf(x))) for x in pts]  # exact, then rounded to the nearest f64
with open('test/fixtures/erf-reference.json', 'w') as f:
    f.write('{"about":"x and erf(x) correctly rounded to f64 (mpmath, 50 digits): log-uniform |x| in [2^-30, 2^3], '
            'uniform in [-6.5, 6.5], and near the branch points 1, 2, 3.5, 6. Made by scripts/erf-reference.py",\n "x":')
    json.dump(pts, f)
    f.write(',\n "erf":')
    json.dump(ref, f)
    f.write('}\n')
