import { LEVEL_COLOURS } from '../contracts/index.js';

const level = (l: keyof typeof LEVEL_COLOURS): string =>
  `.lv-${l}{background:${LEVEL_COLOURS[l]};color:#fff}`;

/** The report's whole stylesheet: system fonts only, so nothing is fetched. */
export const REPORT_CSS = `
:root{--fg:#1d2330;--muted:#667085;--line:#e3e6eb;--bg:#f5f6f8;--card:#fff;--accent:#2f3a4f}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:24px 24px 64px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
h1{font-size:26px;margin:4px 0 2px}h2{font-size:19px;margin:0 0 12px}h3{font-size:15px;margin:18px 0 8px}
h4{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:18px 0 6px}
.page-head{padding:8px 0 12px}.brand{font-weight:700;letter-spacing:.08em;text-transform:uppercase;font-size:12px;color:var(--muted)}
.muted{color:var(--muted)}.warn{color:${LEVEL_COLOURS.review}}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:20px 22px;margin:16px 0;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.stats{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:14px}
.stat{flex:1 1 140px;border:1px solid var(--line);border-radius:6px;padding:10px 14px}
.stat.wide{flex:2 1 260px}.stat-num{font-size:22px;font-weight:600}.stat-num.small{font-size:14px;line-height:1.4}
.stat-label{color:var(--muted);font-size:12px}
dl.calibration{display:grid;grid-template-columns:170px 1fr;gap:6px 14px;margin:0 0 8px}
dl.calibration dt{color:var(--muted)}dl.calibration dd{margin:0}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;line-height:18px}
${level('none')}${level('monitor')}${level('review')}${level('act')}
.atlas{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11.5px;background:#eef1f6;border:1px solid #d8dde6;border-radius:4px;padding:0 4px;white-space:nowrap}
.grid-2{display:grid;grid-template-columns:3fr 2fr;gap:20px;align-items:start}
.grid-cluster{display:grid;grid-template-columns:1fr 280px;gap:20px;align-items:start}
@media (max-width:900px){.grid-2,.grid-cluster{grid-template-columns:1fr}}
figure.chart{margin:0}figure.chart figcaption{color:var(--muted);font-size:12px}
.svg-chart{width:100%;height:auto;display:block}
.svg-chart text{font-size:11px;fill:#4a5262}.svg-chart .axis-title{fill:var(--muted)}.svg-chart text.mark{font-size:10.5px;font-weight:600}
.svg-chart .grid{stroke:#eceff3}.svg-chart .axis{stroke:#9aa1ad}
.graph .svg-chart{max-width:280px;margin:0 auto}
.link-groups{margin-top:8px;font-size:12px}.link-group{display:grid;grid-template-columns:90px 64px 1fr;gap:6px;align-items:center;margin:2px 0}
.lg-bar{height:8px;background:#eef0f3;border-radius:2px;overflow:hidden}.lg-bar i{display:block;height:100%;background:#7d8ea8}
.lg-count{font-variant-numeric:tabular-nums;color:var(--muted)}.lg-what{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--muted);margin-top:4px}
.legend i,.member i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.member i{border-radius:50%}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{white-space:nowrap;font-size:12px;color:var(--muted);font-weight:600;background:#fafbfc}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.nowrap{white-space:nowrap}.evidence{min-width:260px}
.event-id{display:inline-block;max-width:100%;background:#f1f3f6;border-radius:3px;padding:0 3px;margin:0 2px 2px 0;font-size:11.5px;overflow-wrap:anywhere}
.score{position:relative;display:inline-block;min-width:64px;height:18px;background:#f0f2f5;border-radius:3px;overflow:hidden;vertical-align:middle}
.score-bar{position:absolute;left:0;top:0;bottom:0;background:#c9d3e3}
.score-num{position:relative;padding:0 6px;font-variant-numeric:tabular-nums;font-size:12px;line-height:18px}
.cluster-head{display:flex;flex-wrap:wrap;align-items:center;gap:10px 16px;border-bottom:1px solid var(--line);padding-bottom:10px}
.cluster-head h3{margin:0;font-size:17px}.rank{color:var(--muted);font-weight:600}
.kv b{color:var(--muted);font-weight:500;margin-right:4px}
code.value{word-break:break-all}span.small{display:block;font-size:11.5px}
.template{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;background:#f1f3f6;border-radius:3px;padding:0 4px}
details.quiet-clusters summary{cursor:pointer;color:#2458a6;font-size:13px;margin:6px 0}
ol.samples{padding-left:20px;margin:0}ol.samples li{margin-bottom:10px}
.sample-meta{font-size:12px;color:var(--muted);margin-bottom:2px}
pre.prompt{white-space:pre-wrap;word-break:break-word;background:#f7f8fa;border:1px solid var(--line);border-left:3px solid #c9d3e3;border-radius:4px;padding:8px 10px;margin:0;max-height:220px;overflow:auto}
.members{line-height:2}.member{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;margin-right:10px;white-space:nowrap}
table.clusters-index td{vertical-align:middle}
.filters{display:flex;gap:10px;align-items:center;margin:8px 0 10px}
.filters input{flex:0 1 340px;padding:6px 10px;border:1px solid #cfd4dc;border-radius:6px;font:inherit}
.filters select{padding:6px 8px;border:1px solid #cfd4dc;border-radius:6px;font:inherit;background:#fff}
table.sortable th[data-sort]{cursor:pointer;user-select:none}
table.sortable th[data-sort]::after{content:" ↕";color:#b0b6c0;font-size:11px}
table.sortable th[data-dir="asc"]::after{content:" ↑";color:var(--fg)}table.sortable th[data-dir="desc"]::after{content:" ↓";color:var(--fg)}
td.sigs{min-width:340px}.chip{display:inline-block;font-size:12px;border:1px solid var(--line);border-radius:10px;padding:0 8px;margin:0 4px 3px 0;white-space:nowrap}
.chip b{font-weight:600}td.sigs details{font-size:12px}td.sigs summary{cursor:pointer;color:#2458a6}
ul.sig-list{margin:4px 0;padding-left:16px}ul.sig-list li{margin-bottom:4px}.ev{color:var(--muted)}
td.why{min-width:280px;max-width:460px;font-size:12px}p.why{font-size:13px;margin:6px 0 10px}ul.rules{margin:0 0 4px;padding-left:16px}
nav.toc{position:sticky;top:0;z-index:2;font-size:13px;background:rgba(245,246,248,.94);border-bottom:1px solid var(--line);padding:8px 0;backdrop-filter:blur(4px)}nav.toc a{color:var(--accent);margin-right:14px}
a{color:#2458a6;text-decoration:none}a:hover{text-decoration:underline}
footer{color:var(--muted);font-size:12px;margin-top:24px}
@media print{body{background:#fff}.card{box-shadow:none;break-inside:avoid}.filters{display:none}}
`;

/** Column sort and text/level filter for the account table; no data leaves the page. */
export const REPORT_SCRIPT = `
(function(){
var table=document.querySelector('table.accounts');if(!table)return;
var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
var text=document.getElementById('account-filter');var level=document.getElementById('level-filter');var count=document.getElementById('account-count');
function key(row,i,num){var c=row.cells[i];if(num){var v=c.getAttribute('data-v');return v===null?0:parseFloat(v);}return c.textContent.toLowerCase();}
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){
  var type=th.getAttribute('data-sort');if(!type)return;
  th.addEventListener('click',function(){
    var dir=th.getAttribute('data-dir')==='desc'?'asc':'desc';
    Array.prototype.forEach.call(table.tHead.rows[0].cells,function(o){o.removeAttribute('data-dir');});
    th.setAttribute('data-dir',dir);var num=type==='num';var sign=dir==='asc'?1:-1;
    rows.sort(function(a,b){var x=key(a,i,num),y=key(b,i,num);return x<y?-sign:x>y?sign:0;});
    rows.forEach(function(r){body.appendChild(r);});
  });
});
function filter(){
  var q=text.value.trim().toLowerCase();var lv=level.value;var shown=0;
  rows.forEach(function(r){var ok=(!lv||r.getAttribute('data-level')===lv)&&(!q||r.textContent.toLowerCase().indexOf(q)>=0);r.style.display=ok?'':'none';if(ok)shown++;});
  count.textContent=shown+' shown';
}
text.addEventListener('input',filter);level.addEventListener('change',filter);filter();
})();
`;
