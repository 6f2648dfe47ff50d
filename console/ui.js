// Small DOM helpers every page of the console shares: the printed table of
// a format (rows, columns and the cells a row does not have, as the
// regulation lays them out), the list of findings, and marking a finding on
// the element of its path.  Everything from the server is set as
// textContent, never as HTML.

export const $ = (id) => document.getElementById(id);
export const SEVERITY_TEXT = { error: '错误', warning: '警告', info: '提示' };
// The prose sections as the regulation numbers them (FORMAT.md §2).
export const NARRATIVE_TEXT = { overview: '一、总体情况', problems: '五、存在的主要问题及改进情况', other: '六、其他需要报告的事项' };

export function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

export function cell(tr, text, cls) {
  const td = el('td', text, cls);
  tr.appendChild(td);
  return td;
}

// One table of a format.  fill(td, table, row, column) fills each cell the
// row has; a row's missing cells are greyed.  The caption carries the
// table's path so a finding on the whole table can be marked on it.
export function printedTable(t, fill) {
  const table = document.createElement('table');
  table.dataset.table = t.key;
  const cap = el('caption', `${t.section}、${t.label}`);
  cap.dataset.path = `tables.${t.key}`;
  table.appendChild(cap);
  const has = (row, key) => !row.columns || row.columns.includes(key);
  const used = t.columns.filter((c) => t.rows.some((r) => has(r, c.key)));
  const head = document.createElement('tr');
  for (const text of ['项目', ...used.map((c) => c.label)]) head.appendChild(el('th', text));
  table.appendChild(head);
  for (const row of t.rows) {
    const tr = document.createElement('tr');
    cell(tr, row.label);
    for (const col of used) {
      if (!has(row, col.key)) { cell(tr, '', 'na'); continue; }
      fill(cell(tr, ''), t, row, col);
    }
    table.appendChild(tr);
  }
  return table;
}

// The findings as a numbered list; returns the list so callers can link to
// an item (the number is shown on the cell the finding concerns).
export function findingsList(box, title, findings) {
  box.replaceChildren();
  box.appendChild(el('h3', title));
  box.appendChild(el('p', findings.length === 0 ? '未发现问题。' : `共发现 ${findings.length} 个问题：`));
  const ol = el('ol', null, 'findings');
  findings.forEach((f, i) => {
    const li = el('li', `【${SEVERITY_TEXT[f.severity] || f.severity}】${f.message} `, f.severity);
    li.id = `${box.id}-f${i + 1}`;
    li.appendChild(el('code', f.path ? `${f.path} · ${f.code}` : f.code));
    ol.appendChild(li);
  });
  box.appendChild(ol);
  return ol;
}

// The element of a path inside root, or of its nearest ancestor path
// (tables.requests.received.total → … → tables.requests).
export function elementOfPath(root, path) {
  for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const e = root.querySelector(`[data-path="${CSS.escape(p)}"]`);
    if (e) return e;
  }
  return null;
}

// Marks each finding on its element: a colour by severity, the message as
// the title, and (numbered) a superscript naming the finding's number in
// the list, so a printed page shows it too.
export function markFindings(root, findings, numbered = false) {
  for (const e of root.querySelectorAll('.finding-error, .finding-warning, .finding-info')) {
    e.classList.remove('finding-error', 'finding-warning', 'finding-info');
    e.removeAttribute('title');
  }
  for (const s of root.querySelectorAll('sup.mark')) s.remove();
  (findings || []).forEach((f, i) => {
    if (!f.path) return;
    const e = elementOfPath(root, f.path);
    if (!e) return;
    e.classList.add(f.severity === 'error' ? 'finding-error' : f.severity === 'warning' ? 'finding-warning' : 'finding-info');
    e.title = (e.title ? e.title + '\n' : '') + f.message;
    if (numbered) e.appendChild(el('sup', String(i + 1), 'mark'));
  });
}

// A value as the printed tables show it: a number, “/” for not applicable.
export function shown(v) {
  return v === undefined ? '' : v === null ? '/' : String(v);
}
