#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# house.py -- checks that the tree keeps its floors (docs/architecture.md):
#
#   * a file includes only headers of its own folder or of a floor below;
#     no role folder (issuer, node, coordinator, audit) includes another's;
#   * no circle of files: the graph of .c files, with an arrow from a file
#     to each file that defines a function it calls, has no cycle;
#   * no source file outside tests over 600 lines, no function over 120.
#
# Usage: tools/house.py [ROOT].  Prints each finding with its file and
# line and exits 1 if there is any.

import os
import re
import sys

FLOORS = {
    'common': 0, 'crypto': 1, 'wire': 2, 'net': 3,
    'issuer': 4, 'node': 4, 'coordinator': 4, 'audit': 4,
    'cli': 5, 'bench': 6, 'tests': 6,
}
ROLES = ('issuer', 'node', 'coordinator', 'audit')
FILE_MAX = 600
FUNC_MAX = 120

root = sys.argv[1] if len(sys.argv) > 1 else '.'
findings = []


def sources():
    for folder in FLOORS:
        top = os.path.join(root, folder)
        for d, _, names in os.walk(top):
            for n in sorted(names):
                if n.endswith(('.c', '.h')):
                    yield os.path.relpath(os.path.join(d, n), root)


def strip(text):
    # Comments and strings out, lines kept.
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group().count('\n'),
                  text, flags=re.S)
    text = re.sub(r'//[^\n]*', '', text)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', text)


files = {p: open(os.path.join(root, p), encoding='utf-8').read()
         for p in sources()}


def floor_of(path):
    return path.split('/')[0]


# Includes go down, never sideways between roles.
for path, text in files.items():
    mine = floor_of(path)
    for no, line in enumerate(text.split('\n'), 1):
        m = re.match(r'#include "([^"]+)"', line)
        if not m:
            continue
        target = m.group(1).split('/')[0]
        if target not in FLOORS:
            findings.append('%s:%d: include "%s" names no floor'
                            % (path, no, m.group(1)))
        elif target != mine and (FLOORS[target] >= FLOORS[mine]
                                 or target in ('tests', 'bench')):
            findings.append('%s:%d: %s/ includes %s, which is not below it'
                            % (path, no, mine, m.group(1)))

# Functions: where each is defined, how long it is.
product = {p: t for p, t in files.items()
           if p.endswith('.c') and floor_of(p) not in ('tests',)}
defined = {}
bodies = {}
for path, text in product.items():
    lines = strip(text).split('\n')
    for i, line in enumerate(lines):
        m = re.match(r'([A-Za-z_]\w*)\(', line)
        if not m or i == 0 or line.endswith(';'):
            continue
        j = i
        while j < len(lines) and lines[j] != '{':
            if lines[j].endswith(';') or lines[j] == '':
                break
            j += 1
        if j >= len(lines) or lines[j] != '{':
            continue
        k = j
        while k < len(lines) and lines[k] != '}':
            k += 1
        name = m.group(1)
        n = k - j + 1
        if n > FUNC_MAX and floor_of(path) != 'bench':
            findings.append('%s:%d: %s is %d lines, more than %d'
                            % (path, i + 1, name, n, FUNC_MAX))
        if 'static' not in lines[i - 1]:
            defined.setdefault(name, set()).add(path)
        bodies.setdefault(path, []).append((j, k))
    if len(text.split('\n')) - 1 > FILE_MAX and floor_of(path) != 'bench':
        findings.append('%s: %d lines, more than %d'
                        % (path, len(text.split('\n')) - 1, FILE_MAX))

# The file graph: an arrow from a file to every file defining a function
# it calls (names that several files define, like main, are left out).
graph = {p: set() for p in product}
for path, text in product.items():
    if floor_of(path) in ('bench',):
        continue
    for name in set(re.findall(r'\b([A-Za-z_]\w*)\s*\(', strip(text))):
        where = defined.get(name)
        if where and len(where) == 1:
            target = next(iter(where))
            if target != path and floor_of(target) != 'bench':
                graph[path].add(target)

# Tarjan's strongly connected components, iteratively.
index, low, stack, on, sccs = {}, {}, [], set(), []
counter = [0]
for start in sorted(graph):
    if start in index:
        continue
    work = [(start, iter(sorted(graph[start])))]
    index[start] = low[start] = counter[0]
    counter[0] += 1
    stack.append(start)
    on.add(start)
    while work:
        v, it = work[-1]
        for w in it:
            if w not in index:
                index[w] = low[w] = counter[0]
                counter[0] += 1
                stack.append(w)
                on.add(w)
                work.append((w, iter(sorted(graph[w]))))
                break
            if w in on:
                low[v] = min(low[v], index[w])
        else:
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                scc = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    scc.append(w)
                    if w == v:
                        break
                if len(scc) > 1:
                    sccs.append(sorted(scc))
for scc in sccs:
    ties = ['%s -> %s' % (a, b) for a in scc for b in sorted(graph[a])
            if b in scc]
    findings.append('circle of %d files: %s' % (len(scc), '; '.join(ties)))

for f in findings:
    print(f)
print('house: %d findings in %d files' % (len(findings), len(files)))
sys.exit(1 if findings else 0)
