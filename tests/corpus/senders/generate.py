#!/usr/bin/env python3
"""Writes the sender-case corpus (issue 15): tests/corpus/senders/XX.jsonl and XX.labels.jsonl.

One sender, several conversations. Grooming senders contact 3 to 10 minors with mild lines (an
age question, a compliment, a platform move, a gift), some one child after another, some
interleaved, some across hours and days. Hard benign senders message many young users for
ordinary reasons: a coach and a teacher (relationship `contact`), a support agent of the platform
(a stranger to the child) answering purchases, passwords and bans, a parent in a family group and
in direct messages (relationship `family`), a streamer answering viewers in a public stream.

Synthetic and non-graphic. Every conversation is labelled (grooming when its sender is a grooming
sender, benign otherwise), and every scripted sender has a sender label:
{"sender_id": ..., "label": ..., "language": ...}.

    python3 tests/corpus/senders/generate.py    # rewrites the files next to it

The languages follow each other in time in file-name order (de, en, es, fr), so reading the files
in that order (`vigil eval -m tests/corpus/senders/??.jsonl`, the corpus test) is reading them in
time order.
"""

import json
import os
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))

# Per language: names, then the lines of each scenario. In a scenario, a line starting with "K:"
# is the child's (or young user's) reply; "{name}" is the child's name.
LANGS = {
    "en": {
        "start": "2026-06-13T15:00:00Z",
        "names": ["mia", "leo", "ava", "sam", "zoe", "max", "lily", "noah", "ella", "finn"],
        "g_age": [
            "hey {name} saw you in the lobby, you're really good",
            "K:thanks lol",
            "how old are you?",
            "K:12",
            "cool, you seem way more mature than 12",
        ],
        "g_platform": [
            "hi {name}! nice build",
            "K:ty",
            "how old r u btw",
            "K:13",
            "add me on snap, easier to talk there",
        ],
        "g_gifts": [
            "hey {name}, want some free robux? i have way too many",
            "K:for real?",
            "yeah, tell me your username and i'll send them",
            "K:ok its {name}2013",
            "sent. this is just between us ok, don't tell anyone",
        ],
        "g_compliments": [
            "you look so pretty in your profile pic {name}",
            "K:thx",
            "how old are you? you look older",
            "K:14",
            "do you have a boyfriend?",
        ],
        "g_short": ["how old are u {name}?", "K:11", "u got insta?"],
        "b_coach": [
            "hi {name}, practice moves to 5pm tomorrow at the school field",
            "K:ok coach",
            "bring your shin pads and a water bottle",
            "i need your date of birth for the league registration, or ask your mum to send it",
            "K:ok",
            "great game on saturday, you played really well!",
        ],
        "b_teacher": [
            "hello {name}, the maths homework is due on monday",
            "K:ok miss",
            "if the upload doesn't work you can send me a photo of your worksheet",
            "K:ok thanks",
            "well done on the test, you worked really hard",
        ],
        "b_support": [
            [
                "K:i bought gems and didnt get them",
                "sorry about that {name}! what's your account email so i can check the purchase?",
                "K:{name}@mail.com",
                "found it, the gems are in your account now",
                "tip: never share your password with anyone, support will never ask for it",
            ],
            [
                "K:i cant log in",
                "hi {name}, i can help. what's your username?",
                "K:{name}_gamer",
                "i've sent a reset link to the email on the account. don't share your password with anyone, not even friends",
            ],
            [
                "K:why am i banned??",
                "hi {name}, your account was suspended for 24 hours for spamming in chat",
                "accounts of players under 13 need a parent's consent. how old are you?",
                "K:12",
                "ok, please ask a parent to fill in the form in the help centre",
            ],
        ],
        "b_parent_group": [
            "dinner at 7 tonight everyone",
            "who took the car keys?",
            "K:me sorry",
        ],
        "b_parent_dm": [
            "where are you? i'll pick you up at 5",
            "K:at anna's",
            "send me a pic of the bus timetable when you're at the stop",
            "don't tell dad about the surprise party ok, it's a secret!",
            "K:i won't",
        ],
        "b_streamer": [
            "K:hi!! first time here",
            "thanks for the follow {name}, welcome!",
            "K:can i add u on snap",
            "no, i don't add people on snap. join the discord, the mods are there",
            "and remember never share your real name or address in chat",
            "gg {name}, see you next stream",
        ],
    },
    "de": {
        "start": "2026-06-06T14:00:00Z",
        "names": ["lena", "paul", "mila", "jonas", "emma", "luca", "hanna", "ben", "lea", "tim"],
        "g_age": [
            "hey {name}, hab dich in der lobby gesehen, du bist echt gut",
            "K:danke lol",
            "wie alt bist du?",
            "K:12",
            "cool, du wirkst viel reifer als 12",
        ],
        "g_platform": [
            "hi {name}! cooler bau",
            "K:danke",
            "wie alt bist du eigentlich",
            "K:13",
            "adde mich auf snap, da können wir besser schreiben",
        ],
        "g_gifts": [
            "hey {name}, willst du gratis robux? ich hab viel zu viele",
            "K:echt jetzt?",
            "ja, sag mir deinen nutzernamen dann schick ich sie dir",
            "K:ok {name}2013",
            "geschickt. das bleibt unter uns ok, sag es niemandem",
        ],
        "g_compliments": [
            "du siehst so hübsch aus auf deinem profilbild {name}",
            "K:danke",
            "wie alt bist du? du siehst älter aus",
            "K:14",
            "hast du einen freund?",
        ],
        "g_short": ["wie alt bist du {name}?", "K:11", "hast du insta?"],
        "b_coach": [
            "hallo {name}, das training ist morgen um 17 uhr auf dem schulplatz",
            "K:ok trainer",
            "bring deine schienbeinschoner und eine trinkflasche mit",
            "ich brauche dein geburtsdatum für die anmeldung beim verband, oder deine mama schickt es mir",
            "K:ok",
            "tolles spiel am samstag, du hast super gespielt!",
        ],
        "b_teacher": [
            "hallo {name}, die mathe-hausaufgabe ist bis montag fällig",
            "K:ok frau berger",
            "wenn das hochladen nicht klappt, kannst du mir ein foto von deinem arbeitsblatt schicken",
            "K:ok danke",
            "gut gemacht beim test, du hast fleißig gelernt",
        ],
        "b_support": [
            [
                "K:ich hab edelsteine gekauft und nicht bekommen",
                "das tut uns leid {name}! wie lautet die e-mail-adresse deines kontos, damit ich den kauf prüfen kann?",
                "K:{name}@mail.de",
                "gefunden, die edelsteine sind jetzt auf deinem konto",
                "tipp: gib dein passwort niemals weiter, der support fragt nie danach",
            ],
            [
                "K:ich komm nicht rein",
                "hallo {name}, ich helfe dir. wie ist dein nutzername?",
                "K:{name}_gamer",
                "ich habe einen link zum zurücksetzen an die e-mail des kontos geschickt. gib dein passwort niemandem, auch nicht freunden",
            ],
            [
                "K:warum bin ich gesperrt??",
                "hallo {name}, dein konto wurde wegen spam im chat für 24 stunden gesperrt",
                "konten von spielern unter 13 brauchen die zustimmung der eltern. wie alt bist du?",
                "K:12",
                "ok, bitte lass ein elternteil das formular im hilfe-center ausfüllen",
            ],
        ],
        "b_parent_group": [
            "abendessen heute um 7 für alle",
            "wer hat den autoschlüssel genommen?",
            "K:ich sorry",
        ],
        "b_parent_dm": [
            "wo bist du? ich hol dich um 5 ab",
            "K:bei anna",
            "schick mir ein foto vom busfahrplan, wenn du an der haltestelle bist",
            "sag papa nichts von der überraschungsparty ok, das ist ein geheimnis!",
            "K:mach ich nicht",
        ],
        "b_streamer": [
            "K:hi!! bin zum ersten mal hier",
            "danke fürs folgen {name}, willkommen!",
            "K:kann ich dich auf snap adden",
            "nein, ich adde niemanden auf snap. komm auf den discord, da sind die mods",
            "und denkt dran: nie euren echten namen oder eure adresse im chat teilen",
            "gg {name}, bis zum nächsten stream",
        ],
    },
    "fr": {
        "start": "2026-06-27T16:00:00Z",
        "names": ["chloé", "lucas", "inès", "hugo", "jade", "nathan", "léa", "tom", "manon", "enzo"],
        "g_age": [
            "salut {name}, je t'ai vu dans le lobby, t'es trop fort",
            "K:merci mdr",
            "t'as quel âge ?",
            "K:12",
            "cool, tu fais beaucoup plus mature que 12 ans",
        ],
        "g_platform": [
            "coucou {name} ! belle construction",
            "K:merci",
            "tu as quel âge au fait",
            "K:13",
            "ajoute moi sur snap, c'est plus simple pour parler",
        ],
        "g_gifts": [
            "hey {name}, tu veux des robux gratuits ? j'en ai beaucoup trop",
            "K:sérieux ?",
            "oui, donne moi ton pseudo et je te les envoie",
            "K:ok c'est {name}2013",
            "envoyé. ça reste entre nous ok, le dis à personne",
        ],
        "g_compliments": [
            "t'es trop belle sur ta photo de profil {name}",
            "K:merci",
            "tu as quel âge ? tu fais plus vieille",
            "K:14",
            "t'as un copain ?",
        ],
        "g_short": ["t'as quel âge {name} ?", "K:11", "t'as insta ?"],
        "b_coach": [
            "bonjour {name}, l'entraînement est déplacé à 17h demain au stade du collège",
            "K:ok coach",
            "prends tes protège-tibias et une gourde",
            "il me faut ta date de naissance pour la licence du club, ou demande à ta maman de me l'envoyer",
            "K:ok",
            "super match samedi, tu as très bien joué !",
        ],
        "b_teacher": [
            "bonjour {name}, le devoir de maths est à rendre lundi",
            "K:d'accord madame",
            "si l'envoi ne marche pas, tu peux m'envoyer une photo de ta fiche",
            "K:ok merci",
            "bravo pour le contrôle, tu as bien travaillé",
        ],
        "b_support": [
            [
                "K:j'ai acheté des gemmes et je les ai pas reçues",
                "désolé {name} ! quelle est l'adresse e-mail de ton compte pour que je vérifie l'achat ?",
                "K:{name}@mail.fr",
                "trouvé, les gemmes sont sur ton compte maintenant",
                "conseil : ne partage jamais ton mot de passe, le support ne te le demandera jamais",
            ],
            [
                "K:j'arrive pas à me connecter",
                "bonjour {name}, je peux t'aider. quel est ton pseudo ?",
                "K:{name}_gamer",
                "je t'ai envoyé un lien de réinitialisation à l'e-mail du compte. ne donne ton mot de passe à personne, même pas à tes amis",
            ],
            [
                "K:pourquoi je suis banni ??",
                "bonjour {name}, ton compte est suspendu 24 heures pour spam dans le chat",
                "les comptes des joueurs de moins de 13 ans ont besoin de l'accord d'un parent. quel âge as-tu ?",
                "K:12",
                "d'accord, demande à un parent de remplir le formulaire du centre d'aide",
            ],
        ],
        "b_parent_group": [
            "dîner à 19h ce soir tout le monde",
            "qui a pris les clés de la voiture ?",
            "K:moi pardon",
        ],
        "b_parent_dm": [
            "tu es où ? je viens te chercher à 17h",
            "K:chez anna",
            "envoie moi une photo des horaires du bus quand tu es à l'arrêt",
            "dis rien à papa pour la fête surprise ok, c'est un secret !",
            "K:promis",
        ],
        "b_streamer": [
            "K:salut !! première fois ici",
            "merci pour le follow {name}, bienvenue !",
            "K:je peux t'ajouter sur snap",
            "non, j'ajoute personne sur snap. venez sur le discord, les modos y sont",
            "et rappel : ne partagez jamais votre vrai nom ou votre adresse dans le chat",
            "gg {name}, à la prochaine stream",
        ],
    },
    "es": {
        "start": "2026-06-20T17:00:00Z",
        "names": ["lucía", "mateo", "sofía", "hugo", "martina", "leo", "valeria", "pablo", "sara", "diego"],
        "g_age": [
            "hola {name}, te vi en el lobby, eres muy bueno",
            "K:gracias jaja",
            "¿cuántos años tienes?",
            "K:12",
            "genial, pareces mucho más maduro que 12",
        ],
        "g_platform": [
            "hola {name}! qué buena construcción",
            "K:gracias",
            "cuántos años tienes por cierto",
            "K:13",
            "agrégame en snap, es más fácil hablar ahí",
        ],
        "g_gifts": [
            "oye {name}, ¿quieres robux gratis? tengo demasiados",
            "K:en serio?",
            "sí, dime tu usuario y te los mando",
            "K:vale es {name}2013",
            "enviado. esto queda entre nosotros ok, no se lo digas a nadie",
        ],
        "g_compliments": [
            "qué guapa sales en tu foto de perfil {name}",
            "K:gracias",
            "¿cuántos años tienes? pareces mayor",
            "K:14",
            "¿tienes novio?",
        ],
        "g_short": ["cuántos años tienes {name}?", "K:11", "tienes insta?"],
        "b_coach": [
            "hola {name}, el entrenamiento pasa a las 5 mañana en el campo del colegio",
            "K:vale entrenador",
            "trae las espinilleras y una botella de agua",
            "necesito tu fecha de nacimiento para la ficha de la liga, o que tu madre me la mande",
            "K:vale",
            "¡gran partido el sábado, jugaste muy bien!",
        ],
        "b_teacher": [
            "hola {name}, los deberes de mates son para el lunes",
            "K:vale profe",
            "si no funciona la subida, puedes mandarme una foto de tu ficha",
            "K:vale gracias",
            "muy bien en el examen, has trabajado mucho",
        ],
        "b_support": [
            [
                "K:compré gemas y no me llegaron",
                "¡lo sentimos {name}! ¿cuál es el correo de tu cuenta para revisar la compra?",
                "K:{name}@mail.es",
                "encontrado, las gemas ya están en tu cuenta",
                "consejo: nunca compartas tu contraseña con nadie, soporte nunca te la pedirá",
            ],
            [
                "K:no puedo entrar",
                "hola {name}, te ayudo. ¿cuál es tu nombre de usuario?",
                "K:{name}_gamer",
                "he enviado un enlace para restablecerla al correo de la cuenta. no compartas tu contraseña con nadie, ni con amigos",
            ],
            [
                "K:por qué estoy baneado??",
                "hola {name}, tu cuenta está suspendida 24 horas por spam en el chat",
                "las cuentas de jugadores menores de 13 necesitan el permiso de un padre o madre. ¿cuántos años tienes?",
                "K:12",
                "vale, pide a tu padre o madre que rellene el formulario del centro de ayuda",
            ],
        ],
        "b_parent_group": [
            "cena a las 7 esta noche todos",
            "¿quién ha cogido las llaves del coche?",
            "K:yo perdón",
        ],
        "b_parent_dm": [
            "¿dónde estás? te recojo a las 5",
            "K:en casa de ana",
            "mándame una foto del horario del bus cuando estés en la parada",
            "no le digas nada a papá de la fiesta sorpresa ok, ¡es un secreto!",
            "K:no diré nada",
        ],
        "b_streamer": [
            "K:hola!! primera vez aquí",
            "¡gracias por el follow {name}, bienvenido!",
            "K:te puedo agregar en snap",
            "no, no agrego a nadie en snap. entrad al discord, ahí están los mods",
            "y recordad: nunca compartáis vuestro nombre real ni vuestra dirección en el chat",
            "gg {name}, nos vemos en el próximo stream",
        ],
    },
}


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Writer:
    def __init__(self, lang):
        self.lang = lang
        self.msgs = []  # (time, seq, dict)
        self.labels = []
        self.senders = []
        self.counter = {}

    def add(self, t, conv, sender, recipient, channel, relationship, text):
        n = self.counter.get(conv, 0) + 1
        self.counter[conv] = n
        m = {
            "conversation_id": conv,
            "message_id": f"m-{n:02d}",
            "timestamp": ts(t),
            "sender": sender,
        }
        if recipient is not None:
            m["recipient"] = recipient
        m["channel"] = channel
        m["relationship"] = relationship
        m["text"] = text
        self.msgs.append((t, len(self.msgs), m))
        return m["message_id"]


def person(pid, band, days=None):
    p = {"id": pid, "age_band": band}
    if days is not None:
        p["account_age_days"] = days
    return p


def script(w, t0, conv, adult, kid, lines, name, channel, rel, gap, first_risky_index=None):
    """Writes one conversation's lines from t0, `gap` apart (a timedelta or a list of them);
    returns the id of the line `first_risky_index` (counting the adult's lines only)."""
    t = t0
    risky = None
    adult_n = 0
    for i, line in enumerate(lines):
        if line.startswith("K:"):
            w.add(t, conv, kid, adult_ref(adult), channel if channel != "public" else "public", rel,
                  line[2:].format(name=name))
        else:
            mid = w.add(t, conv, adult, kid_ref(kid), channel, rel, line.format(name=name))
            if first_risky_index is not None and adult_n == first_risky_index:
                risky = mid
            adult_n += 1
        t += gap[i] if isinstance(gap, list) else gap
    return risky


def adult_ref(p):
    return {"id": p["id"], "age_band": p["age_band"]}


def kid_ref(p):
    return {"id": p["id"], "age_band": p["age_band"]}


def generate(lang, spec):
    w = Writer(lang)
    base = datetime.strptime(spec["start"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    names = spec["names"]
    M = timedelta(minutes=1)

    def kid(sid, k):
        return person(f"kid-{lang}-{sid}-{k}", "minor")

    def conv_label(conv, label, risky=None):
        l = {"conversation_id": conv, "label": label, "language": lang}
        if risky:
            l["first_risky_message_id"] = risky
        w.labels.append(l)

    def sender_label(sid, label, what):
        w.senders.append({"sender_id": sid, "label": label, "language": lang, "note": what})

    # g1: an age question and a compliment to 8 children, one after another (every 14 minutes).
    sid = f"u-{lang}-g1"
    a = person(sid, "adult", 3)
    for k in range(8):
        conv = f"{lang}-s-g1-{k}"
        r = script(w, base + k * 14 * M, conv, a, kid("g1", k), spec["g_age"], names[k], "direct",
                   "stranger", 2 * M, first_risky_index=1)
        conv_label(conv, "grooming", r)
    sender_label(sid, "grooming", "age question and compliment, 8 children in turn")

    # g2: a platform move to 4 children, interleaved (round robin, 90 s between messages).
    sid = f"u-{lang}-g2"
    a = person(sid, "unknown", 9)
    t0 = base + 3 * 60 * M
    for k in range(4):
        conv = f"{lang}-s-g2-{k}"
        r = script(w, t0 + k * 90 * timedelta(seconds=1), conv, a, kid("g2", k), spec["g_platform"],
                   names[k + 2], "direct", "stranger", 6 * M, first_risky_index=1)
        conv_label(conv, "grooming", r)
    sender_label(sid, "grooming", "age question and a platform move, 4 children interleaved")

    # g3: gifts to 5 children across two days (a child every 5 hours, each chat over 3 hours).
    sid = f"u-{lang}-g3"
    a = person(sid, "adult", 20)
    t0 = base + 5 * 60 * M
    for k in range(5):
        conv = f"{lang}-s-g3-{k}"
        r = script(w, t0 + k * 5 * 60 * M, conv, a, kid("g3", k), spec["g_gifts"], names[k + 4],
                   "direct", "stranger", [3 * M, 40 * M, 5 * M, 2 * 60 * M, M], first_risky_index=0)
        conv_label(conv, "grooming", r)
    sender_label(sid, "grooming", "free in-game currency and secrecy, 5 children across two days")

    # g4: compliments to 3 children, interleaved over an evening.
    sid = f"u-{lang}-g4"
    a = person(sid, "adult", 45)
    t0 = base + 30 * 60 * M
    for k in range(3):
        conv = f"{lang}-s-g4-{k}"
        r = script(w, t0 + k * 7 * M, conv, a, kid("g4", k), spec["g_compliments"], names[(k * 2) % 10],
                   "direct", "stranger", 25 * M, first_risky_index=0)
        conv_label(conv, "grooming", r)
    sender_label(sid, "grooming", "compliments, an age question, 3 children interleaved")

    # g5: ten children in a public game lobby, each addressed by name, two lines each.
    sid = f"u-{lang}-g5"
    a = person(sid, "unknown", 1)
    t0 = base + 2 * 24 * 60 * M
    for k in range(10):
        conv = f"{lang}-s-g5-{k}"
        r = script(w, t0 + k * 6 * M, conv, a, kid("g5", k), spec["g_short"], names[k], "public",
                   "stranger", M, first_risky_index=0)
        conv_label(conv, "grooming", r)
    sender_label(sid, "grooming", "age question and a platform question, 10 children in a lobby")

    # b1: a coach messages 8 players (contact): practice, kit, registration, praise.
    sid = f"u-{lang}-b1"
    a = person(sid, "adult", 900)
    t0 = base + 60 * M
    for k in range(8):
        conv = f"{lang}-s-b1-{k}"
        script(w, t0 + k * M, conv, a, kid("b1", k), spec["b_coach"], names[k], "direct", "contact",
               [10 * M, 30 * M, 5 * M, 60 * M, 2 * 24 * 60 * M, M])
        conv_label(conv, "benign")
    sender_label(sid, "benign", "coach messaging the team about practice (contact)")

    # b2: a teacher messages 6 students (contact) about homework.
    sid = f"u-{lang}-b2"
    a = person(sid, "adult", 1500)
    t0 = base + 24 * 60 * M
    for k in range(6):
        conv = f"{lang}-s-b2-{k}"
        script(w, t0 + k * 2 * M, conv, a, kid("b2", k), spec["b_teacher"], names[(k + 3) % 10], "direct",
               "contact", [20 * M, 10 * M, 45 * M, 3 * 24 * 60 * M, M])
        conv_label(conv, "benign")
    sender_label(sid, "benign", "teacher messaging a class about homework (contact)")

    # b3: a support agent of the platform answers 9 young users (purchases, passwords, bans).
    sid = f"u-{lang}-b3"
    a = person(sid, "adult", 2200)
    t0 = base + 2 * 60 * M
    for k in range(9):
        conv = f"{lang}-s-b3-{k}"
        script(w, t0 + k * 11 * M, conv, a, kid("b3", k), spec["b_support"][k % 3], names[(k + 1) % 10],
               "direct", "stranger", 3 * M)
        conv_label(conv, "benign")
    sender_label(sid, "benign", "support agent answering young users (purchases, passwords, bans)")

    # b4: a parent in the family group and in direct messages with each of 3 children (family).
    sid = f"u-{lang}-b4"
    a = person(sid, "adult", 700)
    t0 = base + 4 * 60 * M
    conv = f"{lang}-s-b4-group"
    t = t0
    for i, line in enumerate(spec["b_parent_group"]):
        if line.startswith("K:"):
            w.add(t, conv, kid("b4", 0), None, "group", "family", line[2:])
        else:
            w.add(t, conv, a, None, "group", "family", line)
        t += 4 * M
    conv_label(conv, "benign")
    for k in range(3):
        conv = f"{lang}-s-b4-{k}"
        script(w, t0 + (30 + k * 50) * M, conv, a, kid("b4", k), spec["b_parent_dm"], names[(k + 5) % 10],
               "direct", "family", 8 * M)
        conv_label(conv, "benign")
    sender_label(sid, "benign", "parent in a family group and direct messages with 3 children (family)")

    # b5: a streamer answers 8 viewers (minors) in the stream chat, each addressed.
    sid = f"u-{lang}-b5"
    a = person(sid, "adult", 1200)
    t0 = base + 26 * 60 * M
    for k in range(8):
        conv = f"{lang}-s-b5-{k}"
        script(w, t0 + k * 3 * M, conv, a, kid("b5", k), spec["b_streamer"], names[(k + 2) % 10], "public",
               "stranger", 40 * timedelta(seconds=1))
        conv_label(conv, "benign")
    sender_label(sid, "benign", "streamer answering viewers in the stream chat")

    w.msgs.sort(key=lambda x: (x[0], x[1]))
    return w


def main():
    for lang, spec in LANGS.items():
        w = generate(lang, spec)
        with open(os.path.join(HERE, f"{lang}.jsonl"), "w", encoding="utf-8") as f:
            for _, _, m in w.msgs:
                f.write(json.dumps(m, ensure_ascii=False) + "\n")
        with open(os.path.join(HERE, f"{lang}.labels.jsonl"), "w", encoding="utf-8") as f:
            for l in w.senders + w.labels:
                f.write(json.dumps(l, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
