"""Localised notices: Exchange / Microsoft 365 NDRs in other languages, national providers'
notices, their charsets and encoded-word subjects.

Every notice here is CONSTRUCTED with example addresses. The Exchange ones follow the layout
of Exchange's NDR (a heading, the recipient, the explanation, the diagnostic block with the
remote reply) with the translated headings and subjects of its localised NDRs ("Unzustellbar:",
"Non remis :", "La remise aux destinataires ou groupes suivants a échoué :"); the providers'
ones are written in each language's usual failure phrases (kb/bounce/wordings.py), in the
charset the provider sends (ISO-2022-JP for au, Shift_JIS for docomo, GB2312 for QQ, KOI8-R
for Yandex, windows-1252 for Orange, windows-1250 for a Polish provider), so that the
decoding and the wording families are checked, not one provider's exact text.
"""
import base64
import quopri
import unittest

from kb.bounce import BounceError, parse, wordings
from tests.test_bounce_support import only_finding

# Exchange's sender is a system mailbox, no "postmaster": the words must make it a bounce.
EXCHANGE_SENDER = "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.com>"
EXCHANGE = """\
From: {sender}
To: alice@example.net
Subject: {subject} hello
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{heading}

bob@example.org
{explanation}

{diagnostic}

bob@example.org
{reply}
"""

# language: (subject prefix, heading, explanation, diagnostic heading, remote reply as written)
EXCHANGE_NDRS = {
    "de": ("Unzustellbar:", "Die Zustellung an folgende Empfänger oder Gruppen ist fehlgeschlagen:",
           "Die eingegebene E-Mail-Adresse konnte nicht gefunden werden.", "Diagnoseinformationen für Administratoren:",
           "Remoteserver hat '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found' zurückgegeben"),
    "fr": ("Non remis :", "La remise aux destinataires ou groupes suivants a échoué :",
           "L'adresse de messagerie que vous avez entrée est introuvable.",
           "Informations de diagnostic pour les administrateurs :",
           "Le serveur distant a retourné '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'"),
    "es": ("No se puede entregar:", "Error en la entrega a estos destinatarios o grupos:",
           "No se encontró la dirección de correo electrónico que escribió.",
           "Información de diagnóstico para administradores:", "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##"),
    "it": ("Non recapitabile:", "Recapito non riuscito per i seguenti destinatari o gruppi:",
           "Impossibile trovare l'indirizzo di posta elettronica immesso.",
           "Informazioni di diagnostica per gli amministratori:", "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##"),
    "pt": ("Não é possível entregar:", "Falha na entrega para estes destinatários ou grupos:",
           "O endereço de email que você inseriu não foi encontrado.",
           "Informações de diagnóstico para administradores:", "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##"),
    "nl": ("Onbestelbaar:", "De bezorging bij deze geadresseerden of groepen is mislukt:",
           "Het opgegeven e-mailadres is niet gevonden.", "Diagnostische gegevens voor beheerders:",
           "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##"),
    "pl": ("Niedostarczalne:", "Dostarczenie do tych adresatów lub grup nie powiodło się:",
           "Nie można odnaleźć wprowadzonego adresu e-mail.", "Informacje diagnostyczne dla administratorów:",
           "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##"),
    "sv": ("Olevererbart:", "Det gick inte att leverera till följande mottagare eller grupper:",
           "E-postadressen du angav hittades inte.", "Diagnostisk information för administratörer:",
           "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##"),
    "et": ("Kohaletoimetamatu:", "Kohaletoimetamine nendele adressaatidele või gruppidele nurjus:",
           "Sisestatud meiliaadressi ei leitud.", "Diagnostikateave administraatoritele:",
           "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##"),
    "ru": ("Недоставленное сообщение:", "Не удалось доставить сообщение следующим получателям или группам:",
           "Введенный адрес электронной почты не найден.", "Диагностические сведения для администраторов:",
           "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##"),
    "ja": ("配信不能:", "次の受信者またはグループへの配信に失敗しました:", "入力した電子メール アドレスが見つかりませんでした。",
           "管理者向け診断情報:", "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##"),
    "zh": ("无法投递:", "未能传递到这些收件人或组:", "找不到你输入的电子邮件地址。", "管理员的诊断信息:",
           "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##"),
}


def _encoded_word(text, charset):
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def _notice(subject, body, charset, encoding):
    """A provider's notice as bytes: its body in `charset` under `encoding`, its subject an encoded word."""
    raw = body.encode(charset)
    payload = {"base64": base64.encodebytes, "quoted-printable": quopri.encodestring}.get(encoding, lambda b: b)(raw)
    head = (f"From: Mail System <system@mail.example>\nTo: alice@example.net\n"
            f"Subject: {_encoded_word(subject, charset)}\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: {encoding}\n\n")
    return head.encode("ascii") + payload


# provider family: (subject, body, charset, transfer encoding, recipient, the reason its words state)
PROVIDERS = {
    "gmx / web.de": ("Mail delivery failed: returning message to sender", """\
Diese Nachricht wurde automatisch vom Mailsystem erstellt.

Die Nachricht konnte an einen oder mehrere Empfänger nicht zugestellt werden.
Folgende Adresse(n) schlugen fehl:

bob@gmx.example
    Postfach voll
""", "iso-8859-1", "quoted-printable", "bob@gmx.example", "mailboxfull"),
    "t-online": ("Unzustellbar", "Ihre Nachricht an bob@t-online.example konnte nicht zugestellt werden: Empfänger unbekannt.\n",
                 "iso-8859-15", "8bit", "bob@t-online.example", "userunknown"),
    "orange": ("Non remis : réunion", "Votre message n'a pas pu être remis.\n\nbob@orange.example\nAdresse inconnue\n",
               "windows-1252", "8bit", "bob@orange.example", "userunknown"),
    "free": ("Message non délivré", "Impossible de remettre le message à l'adresse suivante : bob@free.example\n"
             "Message trop volumineux\n", "iso-8859-1", "quoted-printable", "bob@free.example", "mesgtoobig"),
    "libero": ("Messaggio non recapitato", "Il messaggio non è stato consegnato ai seguenti destinatari:\n\n"
               "bob@libero.example: utente inesistente\n", "iso-8859-1", "8bit", "bob@libero.example", "userunknown"),
    "mail.ru": ("Недоставленное сообщение", "Ваше сообщение не было доставлено следующим получателям:\n\n"
                "bob@mail.example\nПользователь не найден\n", "utf-8", "base64", "bob@mail.example", "userunknown"),
    "yandex": ("Недоставленное сообщение", "Сообщение не удалось доставить.\n\nbob@yandex.example\n"
               "Почтовый ящик переполнен\n", "koi8-r", "quoted-printable", "bob@yandex.example", "mailboxfull"),
    "docomo": ("配信不能", "次の宛先へのメールは配信できませんでした。\n\nbob@docomo.example\nユーザが存在しません\n",
               "shift_jis", "8bit", "bob@docomo.example", "userunknown"),
    "au": ("配信不能", "次の宛先へのメールは配信できませんでした。\n\n宛先: bob@au.example\n理由: 容量超過\n",
           "iso-2022-jp", "7bit", "bob@au.example", "mailboxfull"),
    "qq": ("系统退信", "您的邮件无法送达以下收件人：\n\nbob@qq.example\n收件人邮箱地址不存在\n",
           "gb2312", "base64", "bob@qq.example", "userunknown"),
    "polish provider": ("Niedostarczalne", "Wiadomość nie została dostarczona.\n\nbob@wp.example\n"
                        "Domena nie istnieje\n", "windows-1250", "8bit", "bob@wp.example", "hostunknown"),
    "chinese sentence": ("退信", "您发送给 bob@example.cn 的邮件无法送达。\n", "gb2312", "base64", "bob@example.cn", None),
}


class ExchangeLocalisedTests(unittest.TestCase):
    def test_each_language_gives_the_recipient_and_the_remote_reply(self):
        for language, (subject, heading, explanation, diagnostic, reply) in EXCHANGE_NDRS.items():
            with self.subTest(language=language):
                report = parse(EXCHANGE.format(sender=EXCHANGE_SENDER, subject=subject, heading=heading,
                                               explanation=explanation, diagnostic=diagnostic, reply=reply).encode())
                self.assertEqual(report.kind, "exchange")
                self.assertEqual([(f.recipient, f.action, f.reply_code, f.status) for f in report.findings],
                                 [("bob@example.org", "failed", "550", "5.1.1")])

    def test_the_diagnostic_is_the_quoted_reply_without_the_words_around_it(self):
        subject, heading, explanation, diagnostic, reply = EXCHANGE_NDRS["de"]
        finding = parse(EXCHANGE.format(sender=EXCHANGE_SENDER, subject=subject, heading=heading,
                                        explanation=explanation, diagnostic=diagnostic, reply=reply)).findings[0]
        self.assertEqual(finding.diagnostic, "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found")

    def test_a_localised_subject_alone_makes_a_listing_a_bounce(self):
        for language, (subject, heading, *_) in EXCHANGE_NDRS.items():
            with self.subTest(language=language):
                text = f"From: {EXCHANGE_SENDER}\nTo: alice@example.net\nSubject: {subject} hello\n\nbob@example.org\n"
                self.assertEqual([f.recipient for f in parse(text).findings], ["bob@example.org"])


class ProviderNoticeTests(unittest.TestCase):
    def test_each_notice_is_decoded_and_names_its_recipient(self):
        for name, (subject, body, charset, encoding, recipient, _) in PROVIDERS.items():
            with self.subTest(provider=name):
                report = parse(_notice(subject, body, charset, encoding))
                self.assertEqual([(f.recipient, f.action) for f in report.findings], [(recipient, "failed")])

    def test_the_decoded_diagnostic_states_the_reason_in_its_own_words(self):
        for name, (subject, body, charset, encoding, _, reason) in PROVIDERS.items():
            if reason is None:
                continue
            with self.subTest(provider=name):
                finding = parse(_notice(subject, body, charset, encoding)).findings[0]
                self.assertEqual(wordings.meaning(finding.diagnostic or ""), reason, finding.diagnostic)
                self.assertEqual(finding.reason, reason, finding.diagnostic)

    def test_a_localised_sender_label_names_no_recipient(self):
        text = ("From: system@mail.example\nTo: alice@example.net\nSubject: Unzustellbar\n\n"
                "Absender: alice@example.net\nEmpfänger: bob@example.de\n")
        self.assertEqual([f.recipient for f in parse(text).findings], ["bob@example.de"])

    def test_a_localised_delay_warning_is_delayed_not_failed(self):
        text = ("From: system@mail.example\nTo: alice@example.net\nSubject: Zustellung verzögert\n\n"
                "bob@example.de\n    Die Zustellung wird weiter versucht.\n")
        self.assertEqual([(f.recipient, f.action) for f in parse(text).findings], [("bob@example.de", "delayed")])

    def test_an_ordinary_letter_in_another_language_is_no_bounce(self):
        text = ("From: taro@example.jp\nTo: alice@example.net\nSubject: 会議の件\n\n"
                "来週の会議について連絡します。\nhanako@example.jp\n")
        with self.assertRaises(BounceError):
            parse(text.encode("utf-8"))


TABLES = (wordings.UNDELIVERED, wordings.USER_UNKNOWN, wordings.MAILBOX_FULL, wordings.TOO_LARGE,
          wordings.HOST_UNKNOWN, wordings.DELAYED, wordings.AUTO_REPLY, wordings.GROUP_NOTICE,
          wordings.NOT_PERMITTED_TO_POST)

# Google Groups' refusal of a post, first sentence as in Sisimai's lhost-googlegroups-01 (ja), -04 (cs),
# -05 (de), -07 (es), -09 (fr), -12 (uk) and -13 (zh); the notice never names the group's address,
# the X-Failed-Recipients field does.
GROUP_NOTICES = {
    "es": "Queremos informarte de que el grupo con el que has intentado ponerte en contacto (team) quizás no "
          "exista o bien no tienes los permisos necesarios para publicar mensajes en él.",
    "fr": "Il se peut que le groupe que vous avez essayé de contacter (team) n'existe pas ou que vous ne soyez "
          "pas autorisé à lui envoyer des messages.",
    "uk": "Цим повідомленням ми сповіщаємо Вас, що група, з якою Ви намагалися зв'язатися (team), ймовірно, "
          "не існує, або Ви не маєте дозволу публікувати в ній дописи.",
    "zh": "我們謹此通知，您試圖聯絡的「team」群組可能不存在，或者您沒有在此群組張貼留言的權限。",
    "de": "Sie erhalten diese E-Mail, weil die Gruppe, die Sie kontaktieren möchten (team), möglicherweise "
          "nicht vorhanden ist bzw. Sie nicht die erforderlichen Berechtigungen haben, um der Gruppe Nachrichten "
          "zu posten.",
    "cs": "Dovolujeme si vás upozornit, že skupina, kterou se pokoušíte kontaktovat (team), pravděpodobně "
          "neexistuje nebo nemáte oprávnění do ní přidávat příspěvky.",
    "ja": "連絡しようとしたグループ（team）が存在しないか、グループにメッセージを投稿する権限がない可能性があります。",
}


class GoogleGroupsTests(unittest.TestCase):
    def test_a_localised_refusal_of_a_post_is_rejected_with_its_sentence(self):
        for language, sentence in GROUP_NOTICES.items():
            with self.subTest(language=language):
                text = ("From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: bob@example.org\n"
                        "Subject: Delivery Status Notification (Failure)\nX-Failed-Recipients: team@googlegroups.com\n"
                        "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
                        f"{sentence}\n\n * Google Groups\n")
                finding = only_finding(self, text.encode("utf-8"))
                self.assertEqual((finding.recipient, finding.reason), ("team@googlegroups.com", "rejected"))
                self.assertTrue(finding.diagnostic.startswith(sentence), finding.diagnostic)


class WordingsTests(unittest.TestCase):
    def test_each_meaning_is_told_apart(self):
        self.assertEqual(wordings.meaning("Benutzer unbekannt"), "userunknown")
        self.assertEqual(wordings.meaning("Boîte aux lettres pleine"), "mailboxfull")
        self.assertEqual(wordings.meaning("El mensaje es demasiado grande"), "mesgtoobig")
        self.assertEqual(wordings.meaning("Домен не существует"), "hostunknown")
        self.assertIsNone(wordings.meaning("Guten Tag, wie geht es?"))

    def test_no_phrase_is_listed_twice_in_a_language(self):
        for table in TABLES:
            for language, phrases in table.items():
                with self.subTest(language=language):
                    self.assertEqual(len(set(phrases)), len(phrases))

    def test_every_phrase_is_lowercase_so_that_it_can_match(self):
        for table in TABLES:
            for language, phrases in table.items():
                for phrase in phrases:
                    with self.subTest(language=language, phrase=phrase):
                        self.assertEqual(phrase, phrase.lower())


RETURNED_ONLY = """\
From: Mail System <system@mail.example.de>
To: alice@example.net
Subject: {subject}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="z"

--z
Content-Type: text/plain; charset=utf-8

{text}

--z
Content-Type: message/rfc822

From: alice@example.net
To: Bob <bob@example.de>
Subject: Hallo

Hallo Bob
--z--
"""


class ReturnedMessageOnlyTests(unittest.TestCase):
    def test_a_notice_naming_no_one_takes_the_returned_messages_addressee(self):
        text = RETURNED_ONLY.format(subject="Unzustellbar: Hallo", text="Ihre Nachricht konnte nicht zugestellt werden.")
        self.assertEqual([(f.recipient, f.action) for f in parse(text).findings], [("bob@example.de", "failed")])

    def test_a_forwarded_letter_is_still_no_bounce(self):
        with self.assertRaises(BounceError):
            parse(RETURNED_ONLY.format(subject="Fwd: Hallo", text="Schau mal."))
