import { ValidationFailed, type I18nService } from '@ruche/core';

/** A 422 naming one field, its message from the catalogues (`validation.<code>`) in the caller's language. */
export function fieldError(i18n: I18nService, field: string, code: string): ValidationFailed {
  return new ValidationFailed([{ field, code, message: i18n.t(`validation.${code}`) }]);
}
