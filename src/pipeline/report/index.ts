export { renderHtmlReport, type HtmlReportOptions } from './renderHtmlReport.js';
export { escapeHtml } from './html.js';
