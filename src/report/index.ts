export { renderHtmlReport, type HtmlReportOptions } from './render-html-report.js';
export { escapeHtml } from './html.js';
