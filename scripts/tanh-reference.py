# Writes test/fixtures/tanh-reference.json: points x and tanh(x) correctly rounded to f64, the
# truth the tanh of both backends is measured against (test/backends.test.ts).
# Needs Python 3 with mpmath (Debian: python3-mpmath). Run from the repository root.
import json
import random

import mpmath

mpmath.mp.dps = 50
random.seed(20261124)
pts = []
for i in range(1200):  # |x| from 2^-30 to 2^4.5 (log-uniform), both signs
    pts.append(random.choice([-1, 1]) * 2 ** random.uniform(-30, 4.5))
for i in range(600):
    pts.append(random.uniform(-1, 1))
for c in [0.625, 0.5493061443340549, 0.25541281188299536, 22.0]:  # the branch points (ours, musl's)
    for i in range(150):
        pts.append(c * (1 + random.uniform(-1e-4, 1e-4)))
ref = [float(mpmath.tanh(mpmath.mpf(x))) for x in pts]  # exact, then rounded to the nearest f64
with open('test/fixtures/tanh-reference.json', 'w') as f:
    f.write('{"about":"x and tanh(x) correctly rounded to f64 (mpmath, 50 digits): log-uniform |x| in [2^-30, 2^4.5], '
            'uniform in [-1, 1], and near the branch points 0.255, 0.549, 0.625, 22. Made by scripts/tanh-reference.py",\n "x":')
    json.dump(pts, f)
    f.write(',\n "tanh":')
    json.dump(ref, f)
    f.write('}\n')
