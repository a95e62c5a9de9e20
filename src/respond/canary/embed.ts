/**
 * Where a canary goes in an answer: appended as its own sentence at the end, which works the same
 * for streamed and whole responses and never cuts into the substance of the answer. Multi-paragraph
 * answers get it as a closing paragraph, one-liners as a trailing sentence.
 */
export function canarySeparator(textSoFar: string): string {
  if (textSoFar === '') return '';
  return textSoFar.includes('\n') ? '\n\n' : ' ';
}
