/** The slice of the container a listener or route is given: only the members it names. */
export function pick<T extends object, K extends keyof T>(from: T, ...keys: K[]): Pick<T, K> {
  const slice = {} as Pick<T, K>;
  for (const key of keys) slice[key] = from[key];
  return slice;
}
