declare module 'apache-md5' {
  /** md5-crypt (`$1$…`) or Apache's variant (`$apr1$…`): the hash of `password` with the salt of `salt` (a whole hash may be given). */
  export default function md5(password: string, salt?: string): string;
}
