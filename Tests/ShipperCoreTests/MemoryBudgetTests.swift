import Testing

@testable import ShipperCore

@Suite struct MemoryBudgetTests {
    @Test func reservationsAddUpAndReleasesGiveBack() {
        var budget = MemoryBudget(limit: 100)
        #expect(budget.reserved == 0 && budget.room == 100 && !budget.isExhausted)
        budget.reserve(60)
        budget.reserve(30)
        #expect(budget.reserved == 90 && budget.room == 10 && !budget.isExhausted)
        budget.release(60)
        #expect(budget.reserved == 30 && budget.room == 70)
    }

    /// A reservation is never refused: the bytes exist already; only reading waits.
    @Test func exhaustedAtTheLimitAndBeyond() {
        var budget = MemoryBudget(limit: 100)
        budget.reserve(100)
        #expect(budget.isExhausted && budget.room == 0)
        budget.reserve(50)
        #expect(budget.isExhausted && budget.room == -50 && budget.reserved == 150)
        budget.release(51)
        #expect(!budget.isExhausted && budget.room == 1)
    }

    @Test func resizeMovesAHoldersReservationBothWays() {
        var budget = MemoryBudget(limit: 100)
        budget.reserve(10)
        budget.resize(from: 10, to: 40)
        #expect(budget.reserved == 40)
        budget.resize(from: 40, to: 5)
        #expect(budget.reserved == 5)
        budget.resize(from: 5, to: 5)
        #expect(budget.reserved == 5)
    }

    @Test func releasingMoreThanReservedTraps() async {
        await #expect(processExitsWith: .failure) {
            var budget = MemoryBudget(limit: 100)
            budget.reserve(10)
            budget.release(11)
        }
    }

    @Test func negativeAmountsTrap() async {
        await #expect(processExitsWith: .failure) {
            var budget = MemoryBudget(limit: 100)
            budget.reserve(-1)
        }
        await #expect(processExitsWith: .failure) {
            var budget = MemoryBudget(limit: 100)
            budget.resize(from: 0, to: 10)
            budget.resize(from: 20, to: 0)
        }
    }
}
