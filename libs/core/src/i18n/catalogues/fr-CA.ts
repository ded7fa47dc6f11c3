import type { Catalogue } from './en-CA.js';

/** Messages du noyau, français canadien. */
export const frCA: Catalogue = {
  errors: {
    invalid_request: 'La requête est illisible ({{reason}}).',
    validation_failed: 'Certains champs sont invalides; voyez le détail.',
    unauthenticated: 'Connectez-vous ou envoyez un jeton d’API valide.',
    invalid_credentials: 'Adresse courriel ou mot de passe incorrect.',
    two_factor_required: 'Entrez le code de votre application d’authentification (ou un code de secours).',
    invalid_two_factor_code: 'Ce code à deux facteurs n’est pas valide.',
    two_factor_enrollment_required: 'Les comptes du personnel doivent activer l’authentification à deux facteurs avant toute autre action.',
    two_factor_already_enabled: 'L’authentification à deux facteurs est déjà activée pour ce compte.',
    two_factor_not_started: 'Commencez d’abord l’inscription à deux facteurs.',
    two_factor_not_enabled: 'L’authentification à deux facteurs n’est pas activée pour ce compte.',
    forbidden: 'Vous n’avez pas le droit de faire ceci.',
    missing_scope: 'Cet accès n’a pas la permission « {{scope}} ».',
    session_required: 'Cette action exige une session ouverte, pas un jeton d’API.',
    token_required: 'Seul un jeton d’API peut se révoquer ainsi ; pour une session, déconnectez-vous.',
    csrf_token_invalid: 'En-tête X-CSRF-Token absent ou incorrect.',
    not_found: 'Cette ressource n’existe pas.',
    too_many_requests: 'Trop de tentatives. Réessayez dans {{seconds}} secondes.',
    payload_too_large: 'Le corps de la requête dépasse {{limit}} octets.',
    unsupported_media_type: 'Envoyez le corps de la requête en application/json.',
    internal_error: 'Une erreur s’est produite de notre côté. Citez l’identifiant de requête si vous nous écrivez.',
    service_unavailable: 'Le service n’est pas prêt : {{reason}}.',
    idempotency_key_reused: 'Cette clé Idempotency-Key a déjà servi pour une autre requête.',
    email_taken: 'Un compte existe déjà avec cette adresse courriel.',
    invitation_invalid: 'Cette invitation est inconnue, déjà utilisée ou expirée.',
    password_incorrect: 'Le mot de passe actuel est incorrect.',
    membership_exists: 'Cette personne est déjà membre de l’organisation.',
    last_owner: 'Une organisation garde au moins un propriétaire.',
    scope_not_allowed: 'Vous ne pouvez pas accorder la permission « {{scope}} ».',
    organization_required: 'Les jetons des clients doivent être limités à une de leurs organisations.',
    sign_in_to_accept: 'Cette adresse a déjà un compte : connectez-vous, puis acceptez l’invitation.',
    password_reset_invalid: 'Ce lien de réinitialisation est inconnu, déjà utilisé ou expiré. Demandez-en un nouveau.',
    origin_not_allowed: 'Cette requête vient d’une page d’un autre site ({{origin}}) et a été refusée.',
  },
  validation: {
    weak_password: 'Utilisez au moins 12 caractères.',
    invalid_cursor: 'Ce curseur n’est pas valide pour cette liste.',
    invalid_id: 'Identifiant invalide.',
    in_past: 'Doit être dans le futur.',
    unknown_field: 'Champ inconnu.',
    invalid_character: 'Contient un caractère interdit ici (un caractère de contrôle ou NUL).',
  },
  mail: {
    invitation: {
      account: {
        subject: 'Votre compte Ruche chez {{coop}}',
        body: 'Bonjour,\n\nUn compte a été ouvert pour vous dans Ruche, le panneau d’hébergement de la coop. Choisissez votre mot de passe ici :\n{{link}}\n\nCe lien ne sert qu’une fois et expire le {{expires}}.\n',
      },
      organization: {
        subject: 'Invitation à vous joindre à {{organization}} dans Ruche',
        body: 'Bonjour,\n\nVous êtes invité·e à vous joindre à {{organization}} dans Ruche, le panneau d’hébergement de la coop. Pour accepter ou refuser, ouvrez ce lien :\n{{link}}\n\nSi vous avez déjà un compte, connectez-vous d’abord. Le lien ne sert qu’une fois et expire le {{expires}}. Si vous n’attendiez pas ce message, ignorez-le : rien ne se passe sans votre accord.\n',
      },
    },
    password_reset: {
      subject: 'Choisissez un nouveau mot de passe Ruche',
      body: 'Bonjour,\n\nQuelqu’un (depuis l’adresse {{ip}}) a demandé à réinitialiser le mot de passe de votre compte Ruche. Pour en choisir un nouveau, ouvrez ce lien dans les {{minutes}} minutes :\n{{link}}\n\nLe lien ne sert qu’une fois. Un nouveau mot de passe ferme toutes les sessions et, sauf si vous choisissez autrement, révoque les jetons d’API du compte. Si vous n’avez rien demandé, ignorez ce message : votre mot de passe reste le même.\n',
    },
  },
};
