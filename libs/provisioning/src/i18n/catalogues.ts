/** Provisioning messages, in both languages. */
export const provisioningEn = {
  errors: {
    server_unreachable: 'Ruche could not reach the server: {{message}}',
    host_key_mismatch: 'The server’s SSH host key is not the one given: {{message}}',
    service_missing: 'These services are not installed on the server: {{services}}.',
  },
};

export const provisioningFr: typeof provisioningEn = {
  errors: {
    server_unreachable: 'Ruche n’a pas pu joindre le serveur : {{message}}',
    host_key_mismatch: 'La clé d’hôte SSH du serveur n’est pas celle indiquée : {{message}}',
    service_missing: 'Ces services ne sont pas installés sur le serveur : {{services}}.',
  },
};
