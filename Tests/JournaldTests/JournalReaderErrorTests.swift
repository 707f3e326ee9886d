import Foundation
import Testing
import Journald

@Suite struct JournalReaderErrorTests {
    @Test func missingDirectoryIsNamed() {
        #expect(throws: JournalReaderError.directoryNotFound("/nonexistent/journal")) {
            try JournalReader(source: .directory("/nonexistent/journal"))
        }
    }

    @Test func fileIsNotADirectory() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: JournalReaderError.notADirectory(path)) { try JournalReader(source: .directory(path)) }
    }

    @Test func emptyDirectoryHasNoJournalFiles() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: JournalReaderError.noJournalFiles(path)) { try JournalReader(source: .directory(path)) }
        #expect(JournalReaderError.noJournalFiles(path).description.contains(path))
    }
}
