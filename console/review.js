// The office's review on a unit's page (issue 17): the report's review state
// with the office's comment and history, the return / accept / reopen
// buttons with a comment, and on every finding its mark (确认 / 不予采纳)
// with buttons to set it.  Kept apart from the pages: unit.js lists the
// findings and app.js then calls renderUnitReview() (its unitDrawn hook);
// the board draws the 审核 column and applies the filter.  As in app.js,
// everything from the server goes through textContent (no innerHTML).
// The server decides who may review (a township never does: 403, shown as
// the message); the controls are only left out on the unit's own login.

const STATE_TEXT = { pending: '待审核', returned: '退回修改', resubmitted: '已重新提交', accepted: '已审核' };
const ACTION_TEXT = { return: '退回修改', accept: '审核通过', reopen: '重新开启', resubmit: '重新提交' };

// The board's 审核 column (app.js draws its header row and cells) and a
// filter by review state, put in place here (a module runs after the
// document is parsed) so the board's markup stays the board's.
export const REVIEW_HEAD = '审核';
if (!document.getElementById('review-filter')) {
  const label = document.createElement('label');
  label.textContent = '审核 ';
  const sel = document.createElement('select');
  sel.id = 'review-filter';
  for (const [value, text] of [['', '全部'], ['pending', '待审核'], ['returned', '退回修改'],
    ['resubmitted', '已重新提交'], ['accepted', '已审核']]) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    sel.appendChild(o);
  }
  label.appendChild(sel);
  document.getElementById('sort').closest('label').after(label);
}

// Whether a board row passes the review filter (units not reported have no state).
export function reviewFilterMatch(e) {
  const f = document.getElementById('review-filter').value;
  return !f || e.review === f;
}

// The review's own stylesheet, loaded once (CSP style-src 'self' allows it),
// from beside this module: under the build's version (/console/v-<hash>/),
// so it is cached exactly as long as the script that asks for it.
function ensureStyle() {
  if (document.getElementById('review-css')) return;
  const link = document.createElement('link');
  link.id = 'review-css';
  link.rel = 'stylesheet';
  link.href = new URL('review.css', import.meta.url).pathname;
  document.head.appendChild(link);
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function button(text, onClick, cls) {
  const b = el('button', text, cls);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

// The review panel: state, comment, history and (for the office) actions.
function renderState(ctx, code, rep, v, box) {
  box.replaceChildren();
  box.appendChild(el('h3', '审核'));
  const p = el('p', `审核状态：${STATE_TEXT[v.state] || v.state}`, 'review-state review-' + v.state);
  p.dataset.state = v.state;
  if (v.revision !== null && v.revision !== undefined) p.textContent += `（针对第 ${v.revision} 次修订）`;
  if (v.locked) p.textContent += '，已锁定：重新开启前不能提交新修订';
  box.appendChild(p);
  if (v.comment) box.appendChild(el('p', `审核意见：${v.comment}`, 'review-comment'));
  if ((v.history || []).length) {
    const ol = el('ol', null, 'review-history');
    for (const h of v.history) {
      ol.appendChild(el('li', `${h.at} ${ACTION_TEXT[h.action] || h.action}（第 ${h.revision} 次修订）${h.comment ? '：' + h.comment : ''}`));
    }
    box.appendChild(ol);
  }
  if (!ctx.mayReview(code)) return;
  const form = el('div', null, 'review-actions');
  const label = el('label', '审核意见 ');
  const comment = el('textarea');
  comment.id = 'review-comment';
  comment.rows = 2;
  comment.placeholder = '退回修改、重新开启时必填';
  label.appendChild(comment);
  form.appendChild(label);
  const act = (action) => async () => {
    const text = comment.value.trim();
    if (action !== 'accept' && !text) {
      ctx.showMessage(action === 'return' ? '退回修改须写明需要修改的内容' : '重新开启须写明原因');
      return;
    }
    const body = { action, revision: rep.revision };
    if (text) body.comment = text;
    try {
      await ctx.api(`/api/v1/reports/${encodeURIComponent(code)}/${ctx.year}/review`,
        { method: 'POST', body: JSON.stringify(body) });
      ctx.showMessage('');
      await ctx.reload();
    } catch (e) {
      ctx.handleError(e);
    }
  };
  const open = v.state === 'pending' || v.state === 'resubmitted';
  const bReturn = button('退回修改', act('return'));
  bReturn.id = 'review-return';
  bReturn.disabled = !open;
  const bAccept = button('审核通过', act('accept'));
  bAccept.id = 'review-accept';
  bAccept.disabled = !open;
  const bReopen = button('重新开启', act('reopen'));
  bReopen.id = 'review-reopen';
  bReopen.disabled = v.state !== 'accepted';
  form.append(bReturn, bAccept, bReopen);
  box.appendChild(form);
}

// On each finding's line (ui.js's findingsList, in order, one <li> each):
// its mark, and the office's buttons.
function renderMarks(ctx, code, rep, list) {
  const items = list ? list.querySelectorAll(':scope > li') : [];
  (rep.findings || []).forEach((f, i) => {
    const li = items[i];
    if (!li) return;
    li.dataset.code = f.code;
    li.dataset.path = f.path || '';
    if (f.mark) {
      const m = el('span', f.mark.mark === 'dismissed' ? `不予采纳：${f.mark.reason}` : `已确认${f.mark.reason ? '：' + f.mark.reason : ''}`,
        'finding-mark mark-' + f.mark.mark);
      m.title = `${f.mark.at}，第 ${f.mark.revision} 次修订时标记`;
      li.append(' ', m);
    }
    if (!ctx.mayReview(code)) return;
    const send = async (mark, reason) => {
      const body = { code: f.code, path: f.path || '', mark };
      if (reason) body.reason = reason;
      try {
        await ctx.api(`/api/v1/reports/${encodeURIComponent(code)}/${ctx.year}/findings/marks`,
          { method: 'POST', body: JSON.stringify(body) });
        ctx.showMessage('');
        await ctx.reload();
      } catch (e) {
        ctx.handleError(e);
      }
    };
    const tools = el('span', null, 'mark-tools');
    const reason = el('input');
    reason.placeholder = '不予采纳的理由（必填）';
    reason.setAttribute('aria-label', `不予采纳“${f.message}”的理由`);
    reason.hidden = true;
    const ok = button('确定', () => {
      const r = reason.value.trim();
      if (!r) { ctx.showMessage('不予采纳须写明理由'); return; }
      send('dismissed', r);
    }, 'mark-ok');
    ok.hidden = true;
    tools.append(
      button('确认', () => send('confirmed'), 'mark-confirm'),
      button('不予采纳', () => { reason.hidden = false; ok.hidden = false; reason.focus(); }, 'mark-dismiss'),
      reason, ok);
    li.append(' ', tools);
  });
}

// ctx: {api, handleError, showMessage, year, mayReview(code), reload()}.
// box: where the review panel goes; list: the findings' <ol>.
export async function renderUnitReview(ctx, code, rep, box, list) {
  box.replaceChildren();
  ensureStyle();
  renderMarks(ctx, code, rep, list);
  try {
    const v = (await ctx.api(`/api/v1/reports/${encodeURIComponent(code)}/${ctx.year}/review`)).json;
    renderState(ctx, code, rep, v, box);
  } catch (e) {
    ctx.handleError(e);
  }
}

// The board's review column and filter value: the state's Chinese name.
export function reviewText(state) { return STATE_TEXT[state] || ''; }

// The board's download of the supervision list (通报) as Excel, Word or a
// printable page, of the region on the board.  As for the CSV, the file is
// fetched with the session cookie (app.js's fetchRaw) and handed over as a
// Blob under a file name of ours.
// ctx: {region(), year(), fetchRaw(path), handleError, showMessage}.
export function initBoardTools(ctx) {
  if (document.getElementById('supervision-tools')) return;
  const p = el('p', '下载通报（未报、逾期、经审核确认的问题）：', 'hint');
  p.id = 'supervision-tools';
  const a = el('a');
  a.hidden = true;
  for (const [fmt, text] of [['xlsx', 'Excel'], ['docx', 'Word'], ['html', '网页']]) {
    const b = button(text, async () => {
      const region = ctx.region();
      const year = ctx.year();
      ctx.showMessage('');
      try {
        const res = await ctx.fetchRaw(`/api/v1/regions/${encodeURIComponent(region)}/supervision?year=${year}&format=${fmt}`);
        if (a.href) URL.revokeObjectURL(a.href);
        a.href = URL.createObjectURL(await res.blob());
        a.download = `通报-${region}-${year}.${fmt}`;
        a.click();
      } catch (e) {
        ctx.handleError(e);
      }
    });
    b.id = `supervision-${fmt}`;
    p.append(' ', b);
  }
  p.appendChild(a);
  document.getElementById('units').before(p);
}
