/** Moving's messages: errors, field problems, and why an item cannot be carried, in both languages. */
export const movingEn = {
  errors: {
    import_dependency_missing: 'This item needs {{key}}, which was not carried.',
  },
  validation: {
    import_source_unknown: 'No server is registered with this id.',
    import_source_active: 'The AlternC server must be paused in Ruche first (ruche servers pause), so that nothing new is placed on it.',
    alternc_unreachable: 'The AlternC panel database cannot be read at this address.',
    alternc_account_unknown: 'The AlternC server has no such account.',
    alternc_login_invalid: 'An AlternC login is 1 to 14 lowercase letters and digits.',
    alternc_database_url_invalid: 'Give the panel database as mysql://user:password@host:port/alternc.',
    peer_address_invalid: 'Give a host name or an IP address.',
  },
  moving: {
    reasons: {
      disabled: 'It is disabled in AlternC.',
      wildcard_site: 'Ruche sites answer to exact host names, not to a wildcard.',
      document_root_unsupported: 'Its folder is not a path Ruche accepts (letters, digits, . _ - and /, at most 8 levels).',
      replaced_by_ruche: 'AlternC’s own record: Ruche writes its own (MX, DKIM key, mail records).',
      sub_domain_type_unsupported: 'This kind of AlternC sub-domain has no equivalent in Ruche.',
      record_type_unsupported: 'Ruche zones do not hold this record type.',
      mail_password_scheme_unsupported: 'Its password hash is in a scheme the mail server cannot check.',
      mail_password_missing: 'The mailbox has no password.',
      maildir_path_unsupported: 'Its mail folder’s path holds characters Ruche does not copy.',
      address_without_destination: 'The address has neither a mailbox nor a destination.',
      forward_invalid: 'One of its destinations is not a valid address.',
      database_name_unsupported: 'Its name does not fit Ruche’s database names (<account>_<name>, at most 32 characters).',
      database_user_name_unsupported: 'Its name does not fit Ruche’s database user names (<account>_<name>, at most 32 characters).',
      database_password_missing: 'The database user has no password.',
      panel_user: 'AlternC’s own phpMyAdmin user.',
      login_invalid: 'The account’s login is not one AlternC makes.',
      account_not_carried: 'Its account is not carried.',
      other: 'Refused: {{reason}}.',
    },
  },
};

export const movingFr: typeof movingEn = {
  errors: {
    import_dependency_missing: 'Cet élément a besoin de {{key}}, qui n’a pas été repris.',
  },
  validation: {
    import_source_unknown: 'Aucun serveur n’est enregistré sous cet identifiant.',
    import_source_active: 'Le serveur AlternC doit d’abord être mis en pause dans Ruche (ruche servers pause), pour que rien de nouveau n’y soit placé.',
    alternc_unreachable: 'La base de données du panneau AlternC ne peut pas être lue à cette adresse.',
    alternc_account_unknown: 'Le serveur AlternC n’a pas ce compte.',
    alternc_login_invalid: 'Un identifiant AlternC compte de 1 à 14 lettres minuscules et chiffres.',
    alternc_database_url_invalid: 'Donnez la base de données du panneau sous la forme mysql://utilisateur:motdepasse@hôte:port/alternc.',
    peer_address_invalid: 'Donnez un nom d’hôte ou une adresse IP.',
  },
  moving: {
    reasons: {
      disabled: 'Il est désactivé dans AlternC.',
      wildcard_site: 'Les sites Ruche répondent à des noms d’hôte exacts, pas à un joker.',
      document_root_unsupported: 'Son dossier n’est pas un chemin que Ruche accepte (lettres, chiffres, . _ - et /, 8 niveaux au plus).',
      replaced_by_ruche: 'Enregistrement propre à AlternC : Ruche écrit les siens (MX, clé DKIM, enregistrements de courriel).',
      sub_domain_type_unsupported: 'Ce genre de sous-domaine AlternC n’a pas d’équivalent dans Ruche.',
      record_type_unsupported: 'Les zones Ruche ne contiennent pas ce type d’enregistrement.',
      mail_password_scheme_unsupported: 'L’empreinte de son mot de passe est dans un format que le serveur de courriel ne vérifie pas.',
      mail_password_missing: 'La boîte n’a pas de mot de passe.',
      maildir_path_unsupported: 'Le chemin de son dossier de courriel contient des caractères que Ruche ne copie pas.',
      address_without_destination: 'L’adresse n’a ni boîte ni destination.',
      forward_invalid: 'Une de ses destinations n’est pas une adresse valide.',
      database_name_unsupported: 'Son nom ne convient pas aux noms de bases de Ruche (<compte>_<nom>, 32 caractères au plus).',
      database_user_name_unsupported: 'Son nom ne convient pas aux noms d’utilisateurs de bases de Ruche (<compte>_<nom>, 32 caractères au plus).',
      database_password_missing: 'L’utilisateur de base de données n’a pas de mot de passe.',
      panel_user: 'L’utilisateur phpMyAdmin propre à AlternC.',
      login_invalid: 'L’identifiant du compte n’est pas de ceux qu’AlternC fait.',
      account_not_carried: 'Son compte n’est pas repris.',
      other: 'Refusé : {{reason}}.',
    },
  },
};
