"""The ``locale`` check: the signed-in user's language and region, and the scan session's own culture.

Over remoting the session's culture is the one the client asked for (pypsrp sends en-US; MS-WSMV
wsman:Locale / DataLocale, set when the shell is created), so the user's settings are read from
their hive, ``HKEY_USERS\\<SID>\\Control Panel\\International``, and the session's are reported
apart. The value names under that key (LocaleName, Geo\\Nation, User Profile\\Languages) are
observed registry values that no Microsoft page documents: the script reads them defensively.
"""

from __future__ import annotations

from msdiag.capture.bounds import Model, ShortText
from msdiag.capture.bounds import items as _items


class CultureData(Model):
    name: ShortText | None = None  #: `ja-JP`
    lcid: int | None = None  #: 1041 (en-US 1033)
    english_name: ShortText | None = None  #: `Japanese (Japan)`
    display_name: ShortText | None = None  #: localized: `日本語 (日本)`


class HomeLocationData(Model):
    geo_id: int | None = None  #: GeoId: Japan 122, United States 244 (`Geo\Nation`)
    name: ShortText | None = None  #: the region's name, `Japan` (Get-WinHomeLocation, when run as the user)
    iso2: ShortText | None = None  #: `JP`, from `Control Panel\International\Geo\Name` when present


class UserLanguageData(Model):
    tag: ShortText  #: BCP 47 tag: `ja`, `en-US`
    english_name: ShortText | None = None  #: `Japanese` (Get-WinUserLanguageList, when run as the user)
    autonym: ShortText | None = None  #: `日本語`


class LocaleData(Model):
    #: the signed-in user's regional format: `International\LocaleName` of their hive (capture v1: the scan
    #: session's Get-Culture)
    culture: CultureData | None = None
    #: the signed-in user's display language: the first of `Control Panel\Desktop\PreferredUILanguages` of
    #: their hive, else the language Windows was installed in (capture v1: the session's Get-UICulture)
    ui_culture: CultureData | None = None
    #: the machine's language for non-Unicode programs (Get-WinSystemLocale)
    system_locale: CultureData | None = None
    #: the signed-in user's country or region (`International\Geo` of their hive)
    home_location: HomeLocationData | None = None
    #: the signed-in user's language list (`International\User Profile\Languages` of their hive; names from
    #: Get-WinUserLanguageList when the scan runs as that user)
    user_languages: list[UserLanguageData] = _items(64)
    #: [CultureInfo]::InstalledUICulture: the language Windows was installed in (the machine's)
    installed_ui_culture: CultureData | None = None
    #: the scan session's Get-Culture: over remoting the client's locale (en-US from pypsrp), not the user's
    session_culture: CultureData | None = None
    session_ui_culture: CultureData | None = None  #: the scan session's Get-UICulture (as `session_culture`)

