/** The pages one opens signed out (sign-in, mailed links): the public area's chunk serves them. */
export const isPublicPath = (pathname: string) => /^\/(sign-in|forgot-password|reset-password|invitation)\b/.test(pathname);
