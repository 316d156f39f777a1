// Saving a text as a file, offline and within the CSP (default-src 'self'): a Blob,
// an object URL, and a click on <a download>. Following that link is a navigation
// (a download), not a fetch, so no CSP directive applies to the blob: URL.
export function saveTextFile(doc: Document, fileName: string, text: string, type = 'application/json'): void {
  saveBlobFile(doc, fileName, new Blob([text], { type: `${type};charset=utf-8` }));
}

/** The same for binary data (a USB bundle). */
export function saveBlobFile(doc: Document, fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.hidden = true;
  doc.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    // The download has taken hold of the blob once the click is handled; let the
    // current task finish before the URL goes.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
