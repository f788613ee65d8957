import Foundation
import HubProtocol
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HubGateway
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import ReferralsWeb
@testable import TrainingWeb

@Suite("Gateway pages, sessions and CSRF")
struct GatewayPageTests {
    @Test func loginWithRightPasswordStartsSessionAndShowsSwedishStartPage() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            var browser = Browser(client: client)
            let r = try await browser.login()
            #expect(r.status == .seeOther)
            #expect(r.location == "/")
            let cookie = try #require(r.setCookieHeader("hub_session"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"))
            let home = try await browser.get("/")
            #expect(home.status == .ok)
            #expect(home.text.contains(#"<html lang="sv">"#))
            #expect(home.text.contains("Välkommen till Utväg Hub"))
            #expect(home.text.contains("administratör"))
            #expect(home.text.contains(#"id="health-summary""#), "an administrator's start page says how the hub is")
            #expect(home.text.contains(#"<main id="main""#))
            #expect(home.text.contains(##"href="#main""##))
            // The bus table and the centres are on the status page, which the menu offers to administrators.
            #expect(home.text.contains(#"href="/driftstatus""#))
            let status = try await browser.get("/driftstatus")
            #expect(status.status == .ok)
            #expect(status.text.contains(#"<table id="bus-status">"#))
            #expect(status.text.contains("Utväg Skaraborg"))
            #expect(status.text.contains("Hänvisningar"), "components by their names, not their codes")
        }
    }

    /// Issue 14: an agency's start page says what changed since its last visit (its previous login).
    @Test func anAgencysStartPageMarksWhatChangedSinceItsPreviousLogin() async throws {
        let h = try await Harness.make()
        try await h.users.create(username: "polis", password: Harness.adminPassword, role: "agency", agency: "police")
        h.bus.setReply("referrals.list", .success(["view": "mine", "referrals": [
            ["id": "a", "reference": "U26-NEW", "centre": "skaraborg", "centreName": "Utväg Skaraborg", "category": "subjected-to-violence", "status": "accepted",
             "submittedAt": "2026-01-01T10:00:00.000Z", "changedAt": "2099-01-01T10:00:00.000Z"],
            ["id": "b", "reference": "U26-OLD", "centre": "skaraborg", "centreName": "Utväg Skaraborg", "category": "subjected-to-violence", "status": "closed",
             "submittedAt": "2020-01-01T10:00:00.000Z", "changedAt": "2020-02-01T10:00:00.000Z"],
        ]]))
        try await h.test { client in
            var first = Browser(client: client)
            _ = try await first.login(username: "polis")
            let firstPage = try await first.get("/")
            #expect(firstPage.text.contains("U26-NEW") && !firstPage.text.contains("id=\"since-last-visit\""), "a first login has no last visit")
            var second = Browser(client: client)
            _ = try await second.login(username: "polis")
            let page = try await second.get("/")
            #expect(page.text.contains("En hänvisning har ändrats sedan ditt senaste besök"))
            #expect(page.text.components(separatedBy: "class=\"badge changed\"").count == 2, "only the referral with a newer step is marked")
            let english = try await second.get("/?lang=en")
            #expect(english.text.contains("One referral has changed since your last visit"))
        }
    }

    @Test func sessionCookieIsSecureWhenConfigured() async throws {
        let h = try await Harness.make { $0.gateway.secureCookies = true }
        try await h.test { client in
            var browser = Browser(client: client)
            let r = try await browser.login()
            #expect(try #require(r.setCookieHeader("hub_session")).contains("Secure"))
        }
    }

    @Test func loginWithWrongPasswordOrUnknownUserGivesTheSameGenericError() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            var browser = Browser(client: client)
            let wrong = try await browser.login(password: "not the password")
            let unknown = try await browser.login(username: "nobody", password: "not the password")
            for r in [wrong, unknown] {
                #expect(r.status == .unauthorized)
                #expect(r.text.contains("Fel användarnamn eller lösenord."))
                #expect(r.setCookies["hub_session"] == nil)
            }
        }
    }

    @Test func fiveWrongPasswordsDoNotStopTheRightfulUser() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            var browser = Browser(client: client)
            for _ in 0..<5 { #expect(try await browser.login(password: "wrong password!").status == .unauthorized) }
            let r = try await browser.login()
            #expect(r.status == .seeOther, "the right password still gets in")
        }
    }

    @Test func furtherFailedLoginsMustWaitAGrowingDelayWithRetryAfter() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            var browser = Browser(client: client)
            for _ in 0..<6 { try await browser.login(password: "wrong password!") }
            let r = try await browser.login(password: "wrong password!")
            #expect(r.status == .tooManyRequests)
            #expect(r.headers[.retryAfter] == "1")
            #expect(r.text.contains("Försök igen om 1 s."))
        }
    }

    @Test func emptyLoginFieldsShowErrorsNextToTheirFields() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            var browser = Browser(client: client)
            let page = try await browser.get("/login")
            let csrf = try #require(Browser.csrfField(page.text))
            let r = try await browser.post("/login", form: ["csrf": csrf, "username": "", "password": ""])
            #expect(r.status == .badRequest)
            #expect(r.text.contains(#"<p class="field-error" id="username-error">Ange ditt användarnamn.</p>"#))
            #expect(r.text.contains(#"<p class="field-error" id="password-error">Ange ditt lösenord.</p>"#))
            #expect(r.text.contains(#"aria-describedby="username-error""#))
        }
    }

    @Test func unauthenticatedPageRequestRedirectsToLogin() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let r = try await client.execute(uri: "/", method: .get)
            #expect(r.status == .seeOther)
            #expect(r.location == "/login")
            let bogus = try await client.execute(uri: "/", method: .get, headers: [.cookie: "hub_session=forged"])
            #expect(bogus.location == "/login")
        }
    }

    @Test func loginWithoutCSRFTokenIsForbidden() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            var browser = Browser(client: client)
            try await browser.get("/login")  // has the cookie, but the field is missing
            let r = try await browser.post("/login", form: ["username": "admin", "password": Harness.adminPassword])
            #expect(r.status == .forbidden)
            #expect(r.setCookies["hub_session"] == nil)
            // A field that does not match the cookie is refused too.
            let r2 = try await browser.post("/login", form: ["csrf": "guess", "username": "admin", "password": Harness.adminPassword])
            #expect(r2.status == .forbidden)
        }
    }

    @Test func logoutWithoutCSRFTokenIsForbiddenAndWithItEndsTheSession() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            var browser = Browser(client: client)
            try await browser.login()
            let sessionCookie = try #require(browser.cookies["hub_session"])
            let forbidden = try await browser.post("/logout", form: [:])
            #expect(forbidden.status == .forbidden)
            #expect(try await browser.get("/").status == .ok)  // still logged in

            let home = try await browser.get("/")
            let csrf = try #require(Browser.csrfField(home.text))
            let out = try await browser.post("/logout", form: ["csrf": csrf])
            #expect(out.status == .seeOther)
            #expect(out.location == "/login")
            // The old cookie no longer works: the session was deleted server-side.
            let replay = try await client.execute(uri: "/", method: .get, headers: [.cookie: "hub_session=\(sessionCookie)"])
            #expect(replay.location == "/login")
        }
    }

    @Test func pagesAreSwedishByDefaultAndEnglishWithLangQueryRemembered() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            var browser = Browser(client: client)
            let sv = try await browser.get("/login")
            #expect(sv.text.contains(#"<html lang="sv">"#))
            #expect(sv.text.contains("Logga in på Utväg Hub"))
            let en = try await browser.get("/login?lang=en")
            #expect(en.text.contains(#"<html lang="en">"#))
            #expect(en.text.contains("Log in to Utväg Hub"))
            #expect(browser.cookies["hub_lang"] == "en")
            let again = try await browser.get("/login")
            #expect(again.text.contains("Log in to Utväg Hub"))
        }
    }

    @Test func startPageShowsFriendlyMessageWhenTheBusFails() async throws {
        let bus = FakeBus(broker: .failure(HubError(.timeout, "No reply.")))
        bus.setReply("referrals.centres.list", .failure(HubError(.timeout, "No reply.")))
        let h = try await Harness.make(bus: bus)
        try await h.test { client in
            var browser = Browser(client: client)
            try await browser.login()
            let home = try await browser.get("/")
            #expect(home.status == .ok, "the start page stands when the services do not answer")
            #expect(home.text.contains("delar av hubben har problem"))
            let status = try await browser.get("/driftstatus")
            #expect(status.status == .ok)
            #expect(status.text.contains("Listan över centrum kan inte visas just nu."))
            #expect(status.text.contains("Meddelandebussen svarar inte just nu."))
            #expect(status.text.contains(#"<table id="bus-status">"#))
            for page in [home, status] {
                #expect(!page.text.contains("HubError"))
                #expect(!page.text.contains("No reply."))
            }
        }
    }

    @Test func startPageSaysWhichServiceCannotStore() async throws {
        let bus = FakeBus()
        bus.setReply("referrals.health", .success(["storage": "full"]))
        bus.setReply("meetings.health", .success(["storage": "failing"]))
        bus.setReply("networks.health", .success(["storage": "ok"]))
        let h = try await Harness.make(bus: bus)
        try await h.test { client in
            var browser = Browser(client: client)
            try await browser.login()
            let home = try await browser.get("/driftstatus")
            #expect(home.text.contains("I drift, men disken är full"))
            #expect(home.text.contains("I drift, men kan inte spara"))
            #expect(home.text.contains("I drift</td>"), "the services that can store are plainly up")
            #expect(try await browser.get("/").text.contains("2 delar av hubben har problem"))
        }
    }

    @Test func securityHeadersArePresentOnPagesAPIAndErrors() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            for (uri, method) in [("/login", HTTPRequest.Method.get), ("/api/v1/me", .get), ("/healthz", .get), ("/nope", .get), ("/login", .post)] {
                let r = try await client.execute(uri: uri, method: method)
                #expect(r.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true, "\(uri)")
                #expect(r.headers[.contentSecurityPolicy]?.contains("unsafe-inline") == false, "\(uri)")
                #expect(r.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(uri)")
                #expect(r.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(uri)")
                #expect(r.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin", "\(uri)")
                #expect(r.headers[.cacheControl] == "no-store", "\(uri)")
            }
            let page = try await client.execute(uri: "/login", method: .get)
            #expect(!page.text.contains("<script"))
            #expect(!page.text.contains("style="))
        }
    }

    @Test func unknownPageGivesFriendlyNotFound() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let r = try await client.execute(uri: "/no/such/page", method: .get)
            #expect(r.status == .notFound)
            #expect(r.text.contains("Sidan finns inte."))
        }
    }

    @Test func uiStringTablesHaveTheSameKeys() {
        #expect(Set(Strings.swedish.keys) == Set(Strings.english.keys))
    }
}
