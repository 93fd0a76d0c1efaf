import ArgumentParser
import Foundation
import VoiceGateStore

/// `voicegate admin`: users and API tokens of the console and API, in the records database
/// (docs/admin.md). Passwords are read from a file or stdin, never from the command line
/// (which other users can see in `ps`); tokens are printed once and only their hash is kept.
/// Every change is written to the audit trail (source `cli`).
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Manage console and API users and tokens.",
        subcommands: [AddUser.self, AddToken.self, SetRole.self, Remove.self, List.self])

    /// Options every subcommand has.
    struct Database: ParsableArguments {
        @Option(help: "Call records database (the one voicegate serve uses).")
        var db = "var/voicegate.sqlite"

        func open() throws -> CallStore { try CallStore(path: db, recoverOpenCalls: false) }
    }

    /// The roles, for help texts and checks.
    static let roles = CallStore.adminRoles.joined(separator: ", ")

    struct AddUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-user", abstract: "Add a console user (password from --password-file or stdin's first line).")
        @Argument(help: "User name (letters, digits, . _ - @).") var name: String
        @Option(help: "Role: \(AdminCommand.roles).") var role = "viewer"
        @Option(help: "File whose first line is the password (default: read stdin).") var passwordFile: String?
        @Option(help: .hidden) var iterations = CallStore.defaultPasswordIterations
        @OptionGroup var database: Database

        func run() async throws {
            let text = try passwordFile.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? (readLine(strippingNewline: true) ?? "")
            let password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            let store = try database.open()
            defer { try? store.close() }
            do {
                try await store.addUser(name: name, role: role, password: password, iterations: iterations, by: "cli", from: "cli")
            } catch let error as AdminCredentialError {
                throw ValidationError(error.description)
            }
            print("added user \(name) (\(role))")
        }
    }

    struct AddToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-token", abstract: "Add an API token and print it (once: only its hash is kept).")
        @Argument(help: "Token name (what the audit trail shows).") var name: String
        @Option(help: "Role: \(AdminCommand.roles).") var role = "viewer"
        @OptionGroup var database: Database

        func run() async throws {
            let store = try database.open()
            defer { try? store.close() }
            let token: String
            do {
                token = try await store.addToken(name: name, role: role, by: "cli", from: "cli")
            } catch let error as AdminCredentialError {
                throw ValidationError(error.description)
            }
            print(token)
        }
    }

    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-role", abstract: "Change the role of a user or a token.")
        @Argument(help: "user or token.") var kind: String
        @Argument(help: "Its name.") var name: String
        @Argument(help: "Role: \(AdminCommand.roles).") var role: String
        @OptionGroup var database: Database

        func run() async throws {
            guard let kind = AdminPrincipal.Kind(rawValue: kind) else { throw ValidationError("expected user or token, got '\(kind)'") }
            let store = try database.open()
            defer { try? store.close() }
            do {
                guard try await store.setRole(kind: kind, name: name, role: role, by: "cli", from: "cli") else {
                    throw ValidationError("no \(kind.rawValue) named '\(name)'")
                }
            } catch let error as AdminCredentialError {
                throw ValidationError(error.description)
            }
            print("\(kind.rawValue) \(name) is now \(role)")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove a user (and their sessions) or a token.")
        @Argument(help: "user or token.") var kind: String
        @Argument(help: "Its name.") var name: String
        @OptionGroup var database: Database

        func run() async throws {
            guard let kind = AdminPrincipal.Kind(rawValue: kind) else { throw ValidationError("expected user or token, got '\(kind)'") }
            let store = try database.open()
            defer { try? store.close() }
            guard try await store.removeCredential(kind: kind, name: name, by: "cli", from: "cli") else {
                throw ValidationError("no \(kind.rawValue) named '\(name)'")
            }
            print("removed \(kind.rawValue) \(name)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List users and tokens (no secrets).")
        @OptionGroup var database: Database

        func run() async throws {
            let store = try database.open()
            defer { try? store.close() }
            let formatter = ISO8601DateFormatter()
            for credential in try await store.adminCredentials() {
                let used = credential.lastUsedAt.map { " last used \(formatter.string(from: $0))" } ?? ""
                print("\(credential.kind.rawValue)\t\(credential.name)\t\(credential.role)\tcreated \(formatter.string(from: credential.createdAt))\(used)")
            }
        }
    }
}
