export function claim(id: string): string {
  return `user:${id}`;
}
