// Links between an amended entry and its amendments, within the chart page. (The
// hash is the route, so these scroll and focus instead of changing the URL.)
export function entryElementId(entryId: string): string {
  return `entry-${entryId}`;
}

export function showEntry(entryId: string): void {
  const element = document.getElementById(entryElementId(entryId));
  if (!element) return;
  element.scrollIntoView({ behavior: 'smooth', block: 'center' });
  element.focus({ preventScroll: true });
}
