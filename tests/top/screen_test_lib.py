# SPDX-License-Identifier: GPL-2.0
"""Reading kvmslbtop's screen as tmux capture-pane gives it: display columns,
the table under the column titles."""
import re
import unicodedata

# the column widths of top/cols.c
WIDTHS = {'PID': 7, 'DSEGI/s': 8, 'ISEGI/s': 8, 'TREND': 10, 'DSEGI': 7, 'ISEGI': 7,
          'INJ': 6, 'HDSI/s': 7, 'HISI/s': 7, 'P50': 6, 'P99': 6, 'MAX': 6, 'DROP': 5}


def dwidth(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ('W', 'F') else 1


def cells(line):
    """A screen line as one string per display column ('' for the second half of a wide char)."""
    out = []
    for ch in line:
        w = dwidth(ch)
        if w == 0 and out:
            out[-1] += ch
            continue
        out.append(ch)
        if w == 2:
            out.append('')
    return out


def table(screen):
    """Rows under the column titles: dicts of title -> cell text, plus name/sel/exited."""
    lines = screen.split('\n')
    ti = next((i for i, l in enumerate(lines) if re.match(r'^ {3}GUEST', l)), None)
    if ti is None:
        return None, []
    tcells = cells(lines[ti])
    title = ''.join(tcells)
    spans, pos = [], 0
    for m in re.finditer(r'\S+', title):
        name = m.group(0).rstrip('\u25bc\u25b2^v')
        if name.startswith('GUEST'):
            continue
        if name == 'TREND':
            spans.append((name, m.start(), m.start() + WIDTHS[name]))
        elif name in WIDTHS:
            spans.append((name, m.end() - WIDTHS[name], m.end()))
    name_end = spans[0][1] - 1 if spans else len(tcells)
    rows = []
    for l in lines[ti + 1:]:
        if not l.strip() or l.startswith('x: ') or l.startswith('(no guest'):
            break
        c = cells(l)
        c += [' '] * (len(tcells) - len(c))
        r = {'sel': c[0] == '>', 'exited': c[1] == 'x',
             'name': ''.join(c[3:name_end]).strip()}
        for name, a, b in spans:
            r[name] = ''.join(c[a:b]).strip()
        rows.append(r)
    return spans, rows


def name_matches(shown, full):
    """A name as the screen shows it: whole, cut with an ellipsis ('~' on an
    ASCII terminal, where every other character is '?')."""
    ascii_full = ''.join(c if ord(c) < 128 else '?' for c in full)
    for f in (full, ascii_full):
        if shown == f or (shown[-1:] in ('\u2026', '~') and f.startswith(shown[:-1])):
            return True
    return False
