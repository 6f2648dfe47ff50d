// 检查结果: the findings of every unit of the region (the compliance
// answer carries each current report's findings), grouped by severity and
// then by rule, each unit linking to its report.  Linkable: #findings, and
// #findings/severity/<error|warning|info> or #findings/rule/<code> for one
// group, so a link can be mailed to the townships concerned.

import { $, el, SEVERITY_TEXT } from './ui.js';

const SEVERITIES = ['error', 'warning', 'info'];
// The rules by their Chinese names (docs/rules.md); an unknown code is shown as is.
const RULE_TEXT = {
  'structure.format_year_mismatch': '格式与年度不符', 'structure.missing_table': '缺少表格',
  'structure.missing_cell': '单元格未填', 'structure.unknown_cell': '格式中没有的项目',
  'structure.missing_narrative': '缺少正文部分', 'value.invalid': '数值无效', 'value.not_applicable': '填“/”不适用',
  'requests.row_total': '申请情况表行合计不符', 'requests.outcome_total': '办理结果合计不符',
  'requests.balance': '申请收结不平衡', 'appeals.row_total': '复议诉讼表行合计不符',
  'domain.township_rules': '乡镇填报了规章', 'history.carry_mismatch': '结转数与上年不符',
  'history.items_mismatch': '上年项目数与上年报告不符', 'history.jump': '与上年相比变化异常',
  'timeliness.late': '逾期公开', 'narrative.foreign_entity': '正文提到其他单位', 'narrative.similar': '正文雷同',
};

let ctx = null;

function link(text, hash) {
  const a = el('a', text);
  a.href = hash;
  return a;
}

export async function openFindings(filter = {}) {
  ctx.showMessage('');
  ctx.show('findings');
  const s = ctx.session();
  const box = $('findings-groups');
  box.replaceChildren(el('p', '正在读取…', 'hint'));
  let d;
  try {
    d = (await ctx.api(`/api/v1/regions/${encodeURIComponent(s.region)}/compliance?year=${s.year}`)).json;
  } catch (e) {
    box.replaceChildren();
    ctx.handleError(e);
    return;
  }
  $('findings-title').textContent = `检查结果 · ${d.region.name}（${d.region.code}）· ${d.year} 年度`;
  // severity → rule code → [{unit, finding}]
  const groups = new Map(SEVERITIES.map((sev) => [sev, new Map()]));
  for (const e of d.entities || []) {
    for (const f of e.findings || []) {
      const bySev = groups.get(f.severity) || groups.set(f.severity, new Map()).get(f.severity);
      if (!bySev.has(f.code)) bySev.set(f.code, []);
      bySev.get(f.code).push({ unit: e, f });
    }
  }
  const summary = $('findings-summary');
  summary.replaceChildren();
  summary.appendChild(link('全部', '#findings'));
  for (const [sev, rules] of groups) {
    const n = [...rules.values()].reduce((a, l) => a + l.length, 0);
    summary.append(' · ');
    const a = link(`${SEVERITY_TEXT[sev] || sev} ${n} 条`, `#findings/severity/${sev}`);
    a.dataset.severity = sev;
    summary.appendChild(a);
  }
  box.replaceChildren();
  let shownCount = 0;
  for (const [sev, rules] of groups) {
    if (filter.severity && filter.severity !== sev) continue;
    const codes = [...rules.keys()].filter((c) => !filter.rule || filter.rule === c).sort();
    if (codes.length === 0) continue;
    const sec = el('section', null, 'severity-group ' + sev);
    sec.dataset.severity = sev;
    sec.appendChild(el('h3', `${SEVERITY_TEXT[sev] || sev}（${codes.reduce((a, c) => a + rules.get(c).length, 0)} 条）`));
    for (const code of codes) {
      const items = rules.get(code);
      const units = new Set(items.map((x) => x.unit.code));
      const g = el('div', null, 'rule-group');
      g.dataset.rule = code;
      g.id = `rule-${code}`;
      const h = el('h4');
      h.appendChild(link(RULE_TEXT[code] ? `${RULE_TEXT[code]}（${code}）` : code, `#findings/rule/${code}`));
      h.append(`：${items.length} 条，涉及 ${units.size} 个单位`);
      g.appendChild(h);
      const ul = el('ul', null, 'findings');
      for (const { unit, f } of items) {
        const li = el('li', null, f.severity);
        li.dataset.code = unit.code;
        li.appendChild(link(`${unit.name}（${unit.code}）`, `#unit/${unit.code}`));
        li.append(`：${f.message} `);
        if (f.path) li.appendChild(el('code', f.path));
        ul.appendChild(li);
        shownCount++;
      }
      g.appendChild(ul);
      sec.appendChild(g);
    }
    box.appendChild(sec);
  }
  if (shownCount === 0) box.appendChild(el('p', filter.rule || filter.severity ? '这一组没有问题。' : '本区划各单位的报告均未发现问题。'));
  $('findings-filter').textContent = filter.rule ? `只显示规则 ${filter.rule}` : filter.severity
    ? `只显示${SEVERITY_TEXT[filter.severity] || filter.severity}` : '';
}

export function setupFindings(c) { ctx = c; }
