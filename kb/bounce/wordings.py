"""What bounce notices say, in other languages too: one table per meaning, phrases by language.

The English wording of the common MTAs is read by formats.py and the line scanners; this table
holds the localised notices (Microsoft Exchange / 365's translated NDRs, and the national
providers: GMX and Web.de, T-Online, Orange, Free, Libero, Mail.ru, Yandex, docomo, au, QQ),
plus Estonian, which Exchange also speaks. A phrase is matched as a lowercase substring of a
line, a subject or the head of a notice, so each is specific enough to stand alone: the
words of a failure notice, never a word an ordinary letter uses as often.

Sources: the subjects and first lines of Exchange's localised NDRs ("Unzustellbar:",
"Non remis :", "Die Zustellung an folgende Empfänger oder Gruppen ist fehlgeschlagen:",
"La remise aux destinataires ou groupes suivants a échoué :"...), the phrases Sisimai's
Lhost modules and Mailman's bounce detectors match, and the providers' notices as quoted in
public bounce-handler test suites.
"""

# "could not be delivered", "undeliverable", "delivery failed"
UNDELIVERED = {
    # English sentences that name the address they failed for (`Your message to <x> could not be
    # delivered`); formats.py holds the English words of subjects and templates.
    "en": ("could not be delivered", "couldn't be delivered", "cannot be delivered", "can't be delivered",
           "was not delivered", "was undeliverable", "is undeliverable", "could not deliver",
           "unable to deliver", "delivery failed", "not be delivered", "receiver not found"),
    "de": ("unzustellbar", "nicht zugestellt", "nicht zustellbar", "zustellung an folgende",
           "zustellung ist fehlgeschlagen", "zustellung fehlgeschlagen", "nicht ausgeliefert",
           "konnte nicht ausgeliefert", "unzustellbare nachricht"),
    "fr": ("non remis", "pas pu être remis", "pas pu etre remis", "pas pu être délivré", "non délivré",
           "impossible de remettre", "impossible de délivrer", "la remise aux destinataires",
           "échec de la remise", "échec de remise", "non distribué", "pas pu être distribué",
           "pas pu être acheminé", "ne peut pas être remis", "message non délivrable"),
    "es": ("no se puede entregar", "no se pudo entregar", "no se ha podido entregar", "error en la entrega",
           "no entregado", "imposible entregar", "no pudo ser entregado", "no ha podido ser entregado",
           "mensaje no entregable"),
    "it": ("non recapitabile", "non recapitato", "recapito non riuscito", "non è stato consegnato",
           "non e' stato consegnato", "non è stato possibile consegnare", "impossibile consegnare",
           "mancata consegna", "non consegnato", "non è stato recapitato"),
    "pt": ("não é possível entregar", "não foi possível entregar", "falha na entrega", "não entregue",
           "não pôde ser entregue", "não foi entregue", "impossível entregar", "não entregável"),
    "nl": ("onbestelbaar", "kan niet worden bezorgd", "kon niet worden bezorgd", "niet bezorgd",
           "bezorging bij deze geadresseerden", "kon niet worden afgeleverd", "niet afgeleverd"),
    "pl": ("niedostarczalne", "nie została dostarczona", "nie mogła zostać dostarczona",
           "nie może zostać dostarczona", "dostarczenie do tych adresatów", "nie dostarczono",
           "niedostarczona"),
    "sv": ("olevererbart", "kunde inte levereras", "det gick inte att leverera", "inte levererat",
           "leverans misslyckades", "leveransen misslyckades", "ej levererat"),
    "et": ("kohaletoimetamatu", "kohaletoimetamine nendele adressaatidele", "ei saanud kohale toimetada", "kätte toimetamata",
           "ei õnnestunud kohale toimetada"),
    "ru": ("недоставленное сообщение", "не было доставлено", "не удалось доставить", "не доставлено",
           "невозможно доставить", "доставка не удалась", "не может быть доставлено",
           "не удалось доставить сообщение", "письмо не доставлено", "сообщение не доставлено",
           "доставить не удалось"),
    "ja": ("配信不能", "配信できませんでした", "配信に失敗", "送信できませんでした", "届きませんでした",
           "配送できません", "配信エラー", "送信失敗", "不達", "配信されませんでした", "お届けできませんでした",
           "エラーメール", "返送されました", "送信に失敗", "配送に失敗", "配信できません", "配達できません"),
    "zh": ("退信", "无法送达", "无法投递", "投递失败", "发送失败", "未能传递", "未能送达", "邮件被退回",
           "無法傳遞", "傳遞失敗", "無法送達", "未送达", "邮件未能发送", "郵件無法", "无法发送", "没有发送成功",
           "发送不成功", "無法寄達"),
}

# "user unknown", "no such mailbox"
USER_UNKNOWN = {
    "de": ("empfänger unbekannt", "benutzer unbekannt", "unbekannter empfänger", "unbekannter benutzer",
           "adresse existiert nicht", "postfach existiert nicht", "konto existiert nicht",
           "e-mail-adresse konnte nicht gefunden werden", "unbekannte adresse"),
    "fr": ("utilisateur inconnu", "destinataire inconnu", "adresse inconnue", "boîte aux lettres inexistante",
           "adresse introuvable", "destinataire introuvable", "compte inexistant", "n'existe pas"),
    "es": ("usuario desconocido", "destinatario desconocido", "dirección desconocida", "buzón inexistente",
           "usuario no existe", "cuenta no existe", "no se encontró la dirección"),
    "it": ("utente inesistente", "utente sconosciuto", "destinatario sconosciuto", "indirizzo inesistente",
           "casella inesistente", "utente non esiste"),
    "pt": ("usuário desconhecido", "utilizador desconhecido", "destinatário desconhecido", "endereço inexistente",
           "usuário inexistente", "conta inexistente", "usuário não existe"),
    "nl": ("onbekende gebruiker", "gebruiker onbekend", "onbekende geadresseerde", "adres bestaat niet",
           "gebruiker bestaat niet"),
    "pl": ("nieznany użytkownik", "użytkownik nie istnieje", "nieznany adresat", "adres nie istnieje",
           "konto nie istnieje"),
    "sv": ("okänd användare", "okänd mottagare", "användaren finns inte", "adressen finns inte"),
    "ru": ("пользователь не найден", "нет такого пользователя", "неизвестный получатель", "адрес не найден",
           "неверный адрес", "такого ящика нет", "ящик не существует", "пользователь не существует"),
    "ja": ("ユーザが存在しません", "ユーザーが存在しません", "宛先不明", "アドレスが見つかりません", "不明なユーザ",
           "ディレクトリには見つかりません",  # Lotus Domino's "not listed in Domino Directory"
           "ディレクトリのリストにありません", "存在しないユーザ", "存在しないアドレス"),
    "zh": ("地址不存在", "用户不存在", "收件人不存在", "帐户不存在", "账户不存在", "帐号不存在", "用戶不存在",
           "無此用戶", "邮箱不存在"),
}

# "mailbox full", "over quota"
MAILBOX_FULL = {
    "de": ("postfach voll", "postfach ist voll", "mailbox voll", "speicherplatz überschritten",
           "quota überschritten", "kontingent überschritten", "postfach des empfängers ist voll"),
    "fr": ("boîte aux lettres pleine", "boite aux lettres pleine", "boîte aux lettres est pleine",
           "boîte pleine", "quota dépassé", "boîte de réception est pleine"),
    "es": ("buzón lleno", "buzón está lleno", "cuota excedida", "buzón de correo lleno"),
    "it": ("casella piena", "casella di posta piena", "casella è piena", "quota superata", "spazio esaurito"),
    "pt": ("caixa postal cheia", "caixa de correio cheia", "caixa cheia", "cota excedida", "quota excedida",
           "caixa de correio está cheia"),
    "nl": ("postbus vol", "postvak vol", "postvak is vol", "mailbox is vol", "quotum overschreden"),
    "pl": ("skrzynka pełna", "skrzynka pocztowa jest pełna", "skrzynka pocztowa adresata jest pełna",
           "skrzynka przepełniona", "przekroczony limit"),
    "sv": ("brevlådan är full", "postlådan är full", "full brevlåda", "kvoten överskriden"),
    "ru": ("ящик переполнен", "ящик полон", "превышен лимит", "превышена квота", "переполнен"),
    "ja": ("メールボックスがいっぱい", "容量超過", "容量オーバー", "容量を超え", "満杯"),
    "zh": ("邮箱已满", "邮箱满", "空间不足", "容量不足", "信箱已滿", "超过容量", "超出容量", "邮箱空间"),
}

# "message too large"
TOO_LARGE = {
    "de": ("nachricht ist zu groß", "nachricht zu groß", "größenbeschränkung", "maximale größe"),
    "fr": ("trop volumineux", "taille maximale", "dépasse la taille"),
    "es": ("demasiado grande", "tamaño máximo", "excede el tamaño"),
    "it": ("troppo grande", "dimensione massima", "supera la dimensione"),
    "pt": ("muito grande", "tamanho máximo", "excede o tamanho"),
    "nl": ("bericht is te groot", "maximale grootte"),
    "pl": ("wiadomość jest zbyt duża", "zbyt duża", "maksymalny rozmiar"),
    "sv": ("meddelandet är för stort", "maximal storlek"),
    "ru": ("слишком большой", "слишком велико", "превышает максимальный размер", "размер сообщения превышает"),
    "ja": ("サイズが大きすぎ", "サイズ制限", "サイズオーバー"),
    "zh": ("邮件过大", "超过大小限制", "邮件大小超过", "邮件太大"),
}

# "host not found", "no such domain"
HOST_UNKNOWN = {
    "de": ("host unbekannt", "domain existiert nicht", "domäne existiert nicht", "unbekannte domain",
           "host nicht gefunden", "rechner nicht gefunden"),
    "fr": ("hôte inconnu", "domaine inconnu", "domaine introuvable", "domaine inexistant", "serveur introuvable"),
    "es": ("host desconocido", "dominio desconocido", "dominio no existe", "dominio inexistente"),
    "it": ("host sconosciuto", "dominio inesistente", "dominio sconosciuto"),
    "pt": ("host desconhecido", "domínio desconhecido", "domínio inexistente", "domínio não existe"),
    "nl": ("onbekende host", "domein bestaat niet", "onbekend domein"),
    "pl": ("nieznany host", "domena nie istnieje", "nieznana domena"),
    "sv": ("okänd värd", "domänen finns inte", "okänd domän"),
    "ru": ("домен не существует", "неизвестный домен", "хост не найден", "домен не найден"),
    "ja": ("ドメインが存在しません", "ホストが見つかりません", "ドメイン名が見つかりません", "ホスト不明"),
    "zh": ("域名不存在", "主机不存在", "找不到主机", "域名无法解析"),
}

# "delivery delayed, still trying": a warning, not a failure
DELAYED = {
    "de": ("verzögert", "noch nicht zugestellt", "wird weiter versucht"),
    "fr": ("retardé", "remise différée", "pas encore été remis"),
    "es": ("retrasado", "todavía no se ha entregado"),
    "it": ("ritardato", "recapito ritardato", "non ancora consegnato"),
    "pt": ("atrasado", "entrega atrasada", "ainda não foi entregue"),
    "nl": ("vertraagd", "nog niet bezorgd"),
    "pl": ("opóźnione", "jeszcze nie dostarczona"),
    "sv": ("försenat", "har ännu inte levererats"),
    "ru": ("задерживается", "доставка задержана", "еще не доставлено"),
    "ja": ("配信遅延", "遅延しています", "まだ配信されていません"),
    "zh": ("延迟投递", "延迟发送", "延迟送达"),
}

# The subjects of out-of-office and automatic replies that carry no RFC 3834 header field.
AUTO_REPLY = {
    "de": ("abwesenheit", "automatische antwort", "nicht im büro"),
    "fr": ("réponse automatique", "absence du bureau", "absent du bureau", "message d'absence"),
    "es": ("respuesta automática", "fuera de la oficina", "ausente"),
    "it": ("risposta automatica", "fuori sede", "fuori ufficio", "assente"),
    "pt": ("resposta automática", "fora do escritório", "ausência"),
    "nl": ("automatisch antwoord", "afwezig", "niet op kantoor"),
    "pl": ("autoodpowiedź", "automatyczna odpowiedź", "nieobecność", "poza biurem"),
    "sv": ("automatiskt svar", "frånvaro", "inte på kontoret"),
    "ru": ("автоответ", "автоматический ответ", "нет на месте", "в отпуске"),
    "ja": ("自動応答", "自動返信", "不在"),
    "zh": ("自动回复", "自動回覆", "外出", "休假"),
    # Outlook and Exchange write "Automatic reply:" in the sender's language; subjects often
    # reach us with the accents dropped, so both spellings are here.
    "da": ("automatisk svar",),
    "fi": ("automaattinen vastaus",),
    "cs": ("automatická odpověď", "automaticka odpoved"),
    "sk": ("automatická odpoveď",),
    "hu": ("automatikus válasz", "automatikus valasz"),
    "ro": ("răspuns automat", "raspuns automat"),
    "tr": ("otomatik yanıt", "otomatik yanit", "otomatik cevap"),
    "lv": ("automātiskā atbilde", "automatiska atbilde"),
    "lt": ("automatinis atsakymas",),
    "et": ("automaatne vastus",),
    "hr": ("automatski odgovor",),
    "el": ("αυτόματη απάντηση",),
    "uk": ("автоматична відповідь",),
    "bg": ("автоматичен отговор",),
}

# Exchange / Microsoft 365's heading "Diagnostic information for administrators:", translated.
EXCHANGE_HEADINGS = (
    "diagnoseinformationen für administratoren", "informations de diagnostic pour les administrateurs",
    "información de diagnóstico para administradores", "informazioni di diagnostica per gli amministratori",
    "informações de diagnóstico para administradores", "diagnostische gegevens voor beheerders",
    "informacje diagnostyczne dla administratorów", "diagnostisk information för administratörer",
    "diagnostikateave administraatoritele", "диагностические сведения для администраторов",
    "管理者向け診断情報", "管理员的诊断信息",
)

# The localised labels that name a header field of the sender ("From:"), never the failed recipient.
SENDER_LABELS = frozenset({
    "von", "absender", "de", "expéditeur", "remitente", "mittente", "da", "remetente", "van", "afzender",
    "od", "nadawca", "från", "avsändare", "от", "отправитель", "差出人", "送信者", "发件人", "寄件人", "發件人",
    "saatja", "kellelt",
})

# Google Groups' notice of a post it refused, which never names the group's address (Sisimai's
# lhost-googlegroups samples, in eight languages): where it starts ...
GROUP_NOTICE = {
    "en": ("the group you tried to contact",),
    "de": ("die gruppe, die sie kontaktieren möchten",),
    "fr": ("le groupe que vous avez essayé de contacter",),
    "es": ("el grupo con el que has intentado ponerte en contacto",),
    "cs": ("skupina, kterou se pokoušíte kontaktovat",),
    "uk": ("група, з якою ви намагалися зв'язатися",),
    "ja": ("連絡しようとしたグループ",),
    "zh": ("您試圖聯絡的",),
}
# ... and its words for "you may not have permission to post" (the English ones are reasons.py's).
NOT_PERMITTED_TO_POST = {
    "de": ("nicht die erforderlichen berechtigungen haben, um der gruppe",),
    "fr": ("vous ne soyez pas autorisé à lui envoyer des messages",),
    "es": ("no tienes los permisos necesarios para publicar mensajes",),
    "cs": ("nemáte oprávnění do ní přidávat příspěvky",),
    "uk": ("не маєте дозволу публікувати в ній дописи",),
    "ja": ("グループにメッセージを投稿する権限がない",),
    "zh": ("沒有在此群組張貼留言的權限",),
}

# The Sisimai reason names of the meanings (what a notice without a code failed of).
_MEANINGS = (("rejected", NOT_PERMITTED_TO_POST), ("userunknown", USER_UNKNOWN), ("mailboxfull", MAILBOX_FULL),
             ("mesgtoobig", TOO_LARGE), ("hostunknown", HOST_UNKNOWN))


class _Phrases:
    """The phrases of some tables, found in a text by substring.

    Most input is ASCII, and most lines hold none of the phrases: the ASCII phrases are filed
    by the first KEY letters of their first word, so that a line is only tested against the
    phrases that start like one of its words (11 µs a line instead of 22 µs for testing every
    phrase, timed on a 90-character line). The other phrases (other scripts, accents) are tested
    in full, on text that is not ASCII.
    """
    __slots__ = ("by_key", "others")
    KEY = 4

    def __init__(self, *tables):
        every = [phrase for table in tables for phrases in table.values() for phrase in phrases]
        self.by_key = {}
        for phrase in every:
            if phrase.isascii():
                self.by_key.setdefault(phrase.split()[0][:self.KEY], []).append(phrase)
        self.others = tuple(phrase for phrase in every if not phrase.isascii())

    def found_in(self, text):
        return self.found_in_words(_Words(text))

    def found_in_words(self, words):
        """found_in for a text read once by _Words, to be tried against several tables."""
        by_key, lowered = self.by_key, words.lowered
        for key in words.keys:
            for phrase in by_key.get(key, ()):
                if phrase in lowered:
                    return True
        return not words.ascii and any(phrase in lowered for phrase in self.others)


class _Words:
    """A text lowered, with the keys of its words (_Phrases.KEY letters, leading marks dropped)."""
    __slots__ = ("lowered", "keys", "ascii")

    def __init__(self, text):
        self.lowered = text.lower()
        self.keys = {word.lstrip(_PUNCTUATION)[:_Phrases.KEY] for word in self.lowered.split()}
        self.ascii = text.isascii()


_PUNCTUATION = "\"'(<[*-"
_UNDELIVERED = _Phrases(UNDELIVERED)
_FAILURES = _Phrases(UNDELIVERED, USER_UNKNOWN, MAILBOX_FULL, TOO_LARGE, HOST_UNKNOWN)
_DELAYED = _Phrases(DELAYED)
_AUTO_REPLY = _Phrases(AUTO_REPLY)
_BY_MEANING = tuple((reason, _Phrases(table)) for reason, table in _MEANINGS)


def says_undelivered(text):
    """The text says, in one of the languages here, that a message was not delivered."""
    return _UNDELIVERED.found_in(text)


def says_failure(text):
    """The text names a delivery failure or its cause (unknown user, full mailbox, ...)."""
    return _FAILURES.found_in(text)


def says_delayed(text):
    """The text warns that delivery is delayed and still being tried."""
    return _DELAYED.found_in(text)


def says_auto_reply(subject):
    """A subject, in one of the languages here, of an out-of-office or automatic reply."""
    return _AUTO_REPLY.found_in(subject)


def meaning(text):
    """The Sisimai reason name ("rejected", "userunknown", "mailboxfull", "mesgtoobig", "hostunknown")
    that a localised failure text states, or None."""
    words = _Words(text)
    for reason, phrases in _BY_MEANING:
        if phrases.found_in_words(words):
            return reason
    return None


# The enhanced status code (RFC 3463) each meaning is the failure of, for a notice that gives none.
STATUS_OF_MEANING = {"rejected": "5.7.1", "userunknown": "5.1.1", "mailboxfull": "5.2.2", "mesgtoobig": "5.3.4",
                     "hostunknown": "5.1.2"}


def is_sender_label(label):
    """A localised label of the sender's header field (`Von:`, `Expéditeur :`, `差出人：`)."""
    return label.strip().lower() in SENDER_LABELS
