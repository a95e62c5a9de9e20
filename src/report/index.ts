export { renderHtmlReport } from './render-html-report.js';
export { escapeHtml } from './html.js';
