/// The network-day part of the OpenAPI document (paths under /api/v1 and their schemas),
/// kept apart so that other features' paths merge without touching it.
enum NetworksOpenAPI {
    static let paths = #"""
      /api/v1/network-days:
        get:
          summary: "Network days, by date (networks.days.list)"
          operationId: listNetworkDays
          tags: [networks]
          parameters:
            - { name: centre, in: query, required: false, schema: { type: string } }
            - { name: year, in: query, required: false, schema: { type: integer } }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "503": { $ref: "#/components/responses/Unavailable" }
        post:
          summary: "Create a network day, open for registration (admin, staff; networks.days.create)"
          operationId: createNetworkDay
          tags: [networks]
          requestBody:
            required: true
            content:
              application/json:
                schema: { $ref: "#/components/schemas/NetworkDayInput" }
          responses:
            "201":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "409":
              description: Not allowed now (deadline passed, day cancelled, no free seat, duplicate e-mail, used link)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/network-days/{dayId}:
        get:
          summary: "One day with seats taken, left and waiting (networks.days.get)"
          operationId: getNetworkDay
          tags: [networks]
          parameters:
            - { name: dayId, in: path, required: true, schema: { type: string } }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
        patch:
          summary: "Change a day; raises the iCalendar SEQUENCE and re-sends invitations (admin, staff)"
          operationId: updateNetworkDay
          tags: [networks]
          parameters:
            - { name: dayId, in: path, required: true, schema: { type: string } }
          requestBody:
            required: true
            content:
              application/json:
                schema: { $ref: "#/components/schemas/NetworkDayInput" }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/network-days/{dayId}/cancel:
        post:
          summary: "Cancel a day; METHOD:CANCEL goes to invited agencies (admin, staff)"
          operationId: cancelNetworkDay
          tags: [networks]
          parameters:
            - { name: dayId, in: path, required: true, schema: { type: string } }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "409":
              description: Not allowed now (deadline passed, day cancelled, no free seat, duplicate e-mail, used link)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/network-days/{dayId}/invitations:
        post:
          summary: "Send invitations with iCalendar to the agency adapter of each contact person, and for e-mail (admin, staff)"
          operationId: inviteToNetworkDay
          tags: [networks]
          parameters:
            - { name: dayId, in: path, required: true, schema: { type: string } }
          requestBody:
            required: true
            content:
              application/json:
                schema: { $ref: "#/components/schemas/Invitation" }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "409":
              description: Not allowed now (deadline passed, day cancelled, no free seat, duplicate e-mail, used link)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/network-days/{dayId}/registrations:
        post:
          summary: "Register one person, or a group on one invoice reference; the hub makes the cancel and manage links and returns them once"
          operationId: registerForNetworkDay
          tags: [networks]
          parameters:
            - { name: dayId, in: path, required: true, schema: { type: string } }
          requestBody:
            required: true
            content:
              application/json:
                schema: { $ref: "#/components/schemas/RegistrationInput" }
          responses:
            "201":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "409":
              description: Not allowed now (deadline passed, day cancelled, no free seat, duplicate e-mail, used link)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
        get:
          summary: "Participants: seats, waiting list in order, cancellations (admin, staff)"
          operationId: listRegistrations
          tags: [networks]
          parameters:
            - { name: dayId, in: path, required: true, schema: { type: string } }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/network-days/{dayId}/participants.csv:
        get:
          summary: "Participant list as RFC 4180 CSV (admin, staff)"
          operationId: exportParticipants
          tags: [networks]
          parameters:
            - { name: dayId, in: path, required: true, schema: { type: string } }
          responses:
            "200":
              description: CSV file (Content-Disposition attachment)
              content:
                text/csv: {}
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/network-days/{dayId}/invoice-basis:
        get:
          summary: "People × fee per agency and invoice reference (admin, staff)"
          operationId: invoiceBasis
          tags: [networks]
          parameters:
            - { name: dayId, in: path, required: true, schema: { type: string } }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/registrations/{participantId}/check-in:
        post:
          summary: "Mark attendance on the day; body {attended: bool} (admin, staff)"
          operationId: checkIn
          tags: [networks]
          parameters:
            - { name: participantId, in: path, required: true, schema: { type: string } }
          requestBody:
            required: true
            content:
              application/json:
                schema: { type: object }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "409":
              description: Not allowed now (deadline passed, day cancelled, no free seat, duplicate e-mail, used link)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/registrations/{participantId}/move:
        post:
          summary: "Move someone with a reason; body {to: confirmed|waiting|day, toDayId?, reason} — never beyond capacity (admin, staff)"
          operationId: moveParticipant
          tags: [networks]
          parameters:
            - { name: participantId, in: path, required: true, schema: { type: string } }
          requestBody:
            required: true
            content:
              application/json:
                schema: { type: object }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "409":
              description: Not allowed now (deadline passed, day cancelled, no free seat, duplicate e-mail, used link)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/contact-persons:
        get:
          summary: "Active contact persons of a centre (admin, staff)"
          operationId: listContactPersons
          tags: [networks]
          parameters:
            - { name: centre, in: query, required: false, schema: { type: string } }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "503": { $ref: "#/components/responses/Unavailable" }
        post:
          summary: "Add a contact person; the reply carries selfUpdateUrl, their self-update link, shown once (admin, staff)"
          operationId: createContactPerson
          tags: [networks]
          requestBody:
            required: true
            content:
              application/json:
                schema: { type: object }
          responses:
            "201":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "409":
              description: Not allowed now (deadline passed, day cancelled, no free seat, duplicate e-mail, used link)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/contact-persons/{contactId}:
        patch:
          summary: "Change a contact person (admin, staff)"
          operationId: updateContactPerson
          tags: [networks]
          parameters:
            - { name: contactId, in: path, required: true, schema: { type: string } }
          requestBody:
            required: true
            content:
              application/json:
                schema: { type: object }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/coverage/{centreId}:
        get:
          summary: "Municipalities × agencies with contacts, and gap: true where there is none (admin, staff)"
          operationId: getCoverage
          tags: [networks]
          parameters:
            - { name: centreId, in: path, required: true, schema: { type: string } }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/tour-visits:
        get:
          summary: "Collaboration tour: visits of a year and municipalities not visited (admin, staff)"
          operationId: listTourVisits
          tags: [networks]
          parameters:
            - { name: centre, in: query, required: false, schema: { type: string } }
            - { name: year, in: query, required: false, schema: { type: integer } }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "503": { $ref: "#/components/responses/Unavailable" }
        post:
          summary: "Plan a visit {centreId, municipality, date, notes?} (admin, staff)"
          operationId: planTourVisit
          tags: [networks]
          requestBody:
            required: true
            content:
              application/json:
                schema: { type: object }
          responses:
            "201":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "409":
              description: Not allowed now (deadline passed, day cancelled, no free seat, duplicate e-mail, used link)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/tour-visits/{visitId}/complete:
        post:
          summary: "Mark a visit completed {date?, notes?} (admin, staff)"
          operationId: completeTourVisit
          tags: [networks]
          parameters:
            - { name: visitId, in: path, required: true, schema: { type: string } }
          requestBody:
            required: true
            content:
              application/json:
                schema: { type: object }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "404":
              description: No such record (error.field names it)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "409":
              description: Not allowed now (deadline passed, day cancelled, no free seat, duplicate e-mail, used link)
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
            "503": { $ref: "#/components/responses/Unavailable" }
      /api/v1/network-attendance:
        get:
          summary: "Registrations and attendance per agency across the network days of a centre (admin, staff)"
          operationId: networkAttendance
          tags: [networks]
          parameters:
            - { name: centre, in: query, required: false, schema: { type: string } }
            - { name: year, in: query, required: false, schema: { type: integer } }
          responses:
            "200":
              description: The networks service's reply
              content:
                application/json:
                  schema: { type: object }
            "400": { $ref: "#/components/responses/BadRequest" }
            "422": { $ref: "#/components/responses/Unprocessable" }
            "401": { $ref: "#/components/responses/Unauthorized" }
            "403": { $ref: "#/components/responses/Forbidden" }
            "503": { $ref: "#/components/responses/Unavailable" }
    """#

    /// Schemas referenced by `paths`, placed under `components.schemas`.
    static let schemas = #"""
        NetworkDayInput:
          type: object
          required: [centreId, title, theme, date, startTime, endTime, venue, capacity, deadline]
          properties:
            centreId: { type: string }
            title: { type: string, maxLength: 300 }
            theme: { type: string, maxLength: 500 }
            date: { type: string, format: date }
            startTime: { type: string, pattern: "^[0-2][0-9]:[0-5][0-9]$" }
            endTime: { type: string, pattern: "^[0-2][0-9]:[0-5][0-9]$" }
            venue: { type: string }
            organisers: { type: array, items: { type: string } }
            programme:
              type: array
              items:
                type: object
                required: [start, title]
                properties: { start: { type: string }, end: { type: string }, title: { type: string }, speaker: { type: string } }
            capacity: { type: integer, minimum: 1, maximum: 10000 }
            feeSEK: { type: integer, minimum: 0 }
            deadline: { type: string, description: "YYYY-MM-DD (end of that day, Europe/Stockholm) or YYYY-MM-DDTHH:MM" }
            contactEmail: { type: string, format: email }
            purgeAfterDays: { type: integer, description: "Participant data is purged this many days after the day (default 90)" }
        Invitation:
          type: object
          properties:
            registrationUrl: { type: string, description: "Defaults to this gateway's /anmalan/{dayId}" }
        RegistrationInput:
          type: object
          description: One person (name, email, agency, …) or a group (participants, booker, invoiceReference). Never send cancelToken or manageToken.
          properties:
            name: { type: string, maxLength: 200 }
            email: { type: string, format: email, maxLength: 254 }
            agency: { type: string, description: "Agency id from config/agencies.json" }
            municipality: { type: string }
            dietary: { type: string, maxLength: 500 }
            invoiceReference: { type: string, maxLength: 100, description: "Required when the day has a fee" }
            booker: { type: object, properties: { name: { type: string }, email: { type: string } } }
            participants:
              type: array
              maxItems: 50
              items:
                type: object
                required: [name, email, agency]
                properties: { name: { type: string }, email: { type: string }, agency: { type: string }, municipality: { type: string }, dietary: { type: string } }
    """#
}
