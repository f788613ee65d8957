// The participant list as a spreadsheet, the invoice basis and attendance per agency.

import Crypto
import Foundation
import HubCore
import HubProtocol
import HubStorage

extension RegistrationEngine {
    /// The participant list as a Swedish spreadsheet file (`CSVText`): Swedish column names
    /// and statuses, agencies by name (`agencyName`), registration times in Europe/Stockholm.
    public func csv(eventId: String, field: String = "body.eventId", agencyName: (String) -> String = { $0 },
                    on db: any DatabaseExecutor) async throws(HubError) -> String {
        let list = try await participants(eventId: eventId, field: field, on: db)
        let status: [ParticipantStatus: String] = [.confirmed: "Plats", .waiting: "Väntelista", .cancelled: "Avbokad"]
        let rows = list.map { p in
            [CSVText.cell(status[p.status] ?? p.status.rawValue), p.waitingPosition.map(CSVText.number) ?? "", CSVText.cell(p.name),
             CSVText.cell(agencyName(p.agency)), CSVText.cell(p.municipality ?? ""), CSVText.cell(p.email), CSVText.cell(p.dietary ?? ""),
             CSVText.cell(p.invoiceReference ?? ""), p.attended ? "Ja" : "Nej", CSVText.cell(LocalTime.dateTime(p.registeredAt))]
        }
        return CSVText.document(header: ["Status", "Plats i kön", "Namn", "Myndighet", "Kommun", "E-post", "Specialkost", "Fakturareferens",
                                         "Närvarande", "Anmäld"], rows: rows)
    }

    /// People with a seat × fee, per agency and invoice reference.
    public func invoiceBasis(eventId: String, field: String = "body.eventId", on db: any DatabaseExecutor) async throws(HubError) -> [InvoiceLine] {
        let event = try await eventState(eventId, field: field, on: db)
        let rows = try await db.query("""
            SELECT agency, COALESCE(invoice_reference, '') AS ref, COUNT(*) AS n FROM registration_participants
            WHERE event_id = ? AND status = 'confirmed' GROUP BY agency, COALESCE(invoice_reference, '') ORDER BY agency, ref
            """, eventId)
        return try rows.map { row throws(HubError) in
            let n = try row.int("n")
            return InvoiceLine(agency: try row.string("agency"), invoiceReference: try row.string("ref"), people: n,
                               feeSEK: event.feeSEK, amountSEK: n * event.feeSEK)
        }
    }

    /// Registrations (with a seat) and attendance per agency for each of `eventIds`.
    public func attendance(eventIds: [String], on db: any DatabaseExecutor) async throws(HubError) -> [AgencyAttendance] {
        guard !eventIds.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: eventIds.count).joined(separator: ", ")
        let rows = try await db.query("""
            SELECT event_id, agency, COUNT(*) AS registered, SUM(attended) AS attended FROM registration_participants
            WHERE status = 'confirmed' AND event_id IN (\(placeholders)) GROUP BY event_id, agency ORDER BY agency, event_id
            """, eventIds.map { .text($0) })
        return try rows.map { row throws(HubError) in
            AgencyAttendance(eventId: try row.string("event_id"), agency: try row.string("agency"),
                             registered: try row.int("registered"), attended: try row.optionalInt("attended") ?? 0)
        }
    }
}
