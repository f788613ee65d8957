@testable import HubGateway
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import ReferralsWeb
@testable import TrainingWeb
import Testing

/// Login throttling slows guessing by address, and never lets one address lock out a user
/// who signs in from another.
@Suite("Login throttle")
struct LoginThrottleTests {
    let t0 = ContinuousClock.now

    @Test func delaysGrowAfterTheLimitAndAnotherAddressIsNotSlowed() {
        let throttle = LoginThrottle()
        for i in 0..<5 { throttle.recordFailure("anna", address: "10.0.0.1", now: t0 + .seconds(i)) }
        #expect(throttle.retryAfter(username: "anna", address: "10.0.0.1", now: t0 + .seconds(4)) == nil, "five failures: no delay yet")
        throttle.recordFailure("anna", address: "10.0.0.1", now: t0 + .seconds(5))
        #expect(throttle.retryAfter(username: "anna", address: "10.0.0.1", now: t0 + .seconds(5)) == .seconds(1))
        throttle.recordFailure("anna", address: "10.0.0.1", now: t0 + .seconds(6))
        #expect(throttle.retryAfter(username: "anna", address: "10.0.0.1", now: t0 + .seconds(6)) == .seconds(2))
        for i in 7..<30 { throttle.recordFailure("anna", address: "10.0.0.1", now: t0 + .seconds(i)) }
        #expect(throttle.retryAfter(username: "anna", address: "10.0.0.1", now: t0 + .seconds(29)) == .seconds(60), "capped")
        // The rightful user elsewhere is not slowed at all.
        #expect(throttle.retryAfter(username: "anna", address: "10.0.0.2", now: t0 + .seconds(29)) == nil)
        // The window forgets.
        #expect(throttle.retryAfter(username: "anna", address: "10.0.0.1", now: t0 + .seconds(29 + 15 * 60 + 1)) == nil)
    }

    @Test func manyUsernamesFromOneAddressAreSlowedToo() {
        let throttle = LoginThrottle()
        for i in 0..<40 {
            let user = "user\(i % 10)", now = t0 + .milliseconds(100 * i)
            if i >= 11 {
                #expect(throttle.retryAfter(username: user, address: "10.0.0.9", now: now) != nil, "attempt \(i + 1) waits")
            }
            throttle.recordFailure(user, address: "10.0.0.9", now: now)
        }
    }

    @Test func aSuccessClearsThatAddressAndPair() {
        let throttle = LoginThrottle()
        for i in 0..<8 { throttle.recordFailure("bo", address: "10.0.0.3", now: t0 + .seconds(i)) }
        #expect(throttle.retryAfter(username: "bo", address: "10.0.0.3", now: t0 + .seconds(7)) != nil)
        throttle.recordSuccess("bo", address: "10.0.0.3")
        #expect(throttle.retryAfter(username: "bo", address: "10.0.0.3", now: t0 + .seconds(7)) == nil)
    }
}
