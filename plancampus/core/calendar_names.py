"""Day and month names that Django's own Khmer catalogue leaves untranslated.

Django formats dates with its catalogues (``django.utils.dates``): its Khmer one lacks the
abbreviated weekdays ("Fri") and several abbreviated months ("Nov."), so a Khmer page would
show "Fri 20 Nov." in English. The same messages, with the same contexts, are marked here so
that ``make messages`` brings them into the project's catalogues, which Django reads first
(``LOCALE_PATHS``). Nothing imports this module; it only carries the messages.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

WEEKDAYS_ABBR = (
    gettext_noop("Mon"),
    gettext_noop("Tue"),
    gettext_noop("Wed"),
    gettext_noop("Thu"),
    gettext_noop("Fri"),
    gettext_noop("Sat"),
    gettext_noop("Sun"),
)

MONTHS_AP = (
    pgettext_lazy("abbrev. month", "Jan."),
    pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."),
    pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."),
    pgettext_lazy("abbrev. month", "Dec."),
)
