/**
 * Error codes across a wire: every code of the `ErrorCode` union rebuilds an instance of its class,
 * with the message as sent and the fields given, and the classes raise the codes the list names.
 */
import { expect } from "chai";
import {
  ButlerError,
  ChangedError,
  DataIdError,
  DatasetNotFoundError,
  IntegrityError,
  InvalidKeyError,
  NotFoundError,
  StorageError,
  UnknownDatasetTypeError,
  UsageError,
} from "../../src/errors.js";
import { ERROR_CODES, errorFromCode, isErrorCode } from "../../src/error-from-code.js";

describe("error codes", () => {
  it("every code rebuilds a ButlerError of its class with the message as sent", () => {
    expect(ERROR_CODES.length).to.be.greaterThan(20);
    for (const code of ERROR_CODES) {
      const err = errorFromCode(code, `message for ${code}`);
      expect(err, code).to.be.instanceOf(ButlerError);
      expect(err.code).to.equal(code);
      expect(err.message).to.equal(`message for ${code}`);
      expect(err.name).to.match(/Error$/);
    }
  });

  it("a rebuilt error is an instance of the class a local one would be, fields included", () => {
    const local = new NotFoundError("raw/a.fits", "file:///repo");
    const remote = errorFromCode(local.code, local.message, { key: local.key });
    expect(remote).to.be.instanceOf(NotFoundError).and.instanceOf(StorageError);
    expect((remote as NotFoundError).key).to.equal("raw/a.fits");
    expect(remote.message).to.equal(local.message);

    const notFound = errorFromCode("E_DATASET_NOT_FOUND", "no calexp", { datasetType: "calexp", dataId: { visit: 1 } });
    expect(notFound).to.be.instanceOf(DatasetNotFoundError);
    expect((notFound as DatasetNotFoundError).dataId).to.deep.equal({ visit: 1 });
    expect((errorFromCode("E_DATA_ID", "bad") as DataIdError).candidates).to.deep.equal([]);
    expect((errorFromCode("E_UNKNOWN_DATASET_TYPE", "bad") as UnknownDatasetTypeError).closeNames).to.deep.equal([]);
    expect(errorFromCode("E_INTEGRITY", "flipped")).to.be.instanceOf(IntegrityError);
    expect(errorFromCode("E_USAGE", "usage")).to.be.instanceOf(UsageError);
    const changed = errorFromCode("E_CHANGED", "replaced while read");
    expect(changed).to.be.instanceOf(ChangedError).and.instanceOf(StorageError);
    expect(new ChangedError("x").code).to.equal("E_CHANGED");
    const checksum = errorFromCode("E_CHECKSUM", "bad md5");
    expect(checksum).to.be.instanceOf(StorageError);
    expect(checksum.code).to.equal("E_CHECKSUM");
  });

  it("an unknown code from a newer server becomes a StorageError, never a crash; fields cannot replace code or message", () => {
    const err = errorFromCode("E_FROM_THE_FUTURE", "something new", { code: "E_CONFIG", message: "other" });
    expect(err).to.be.instanceOf(StorageError);
    expect(err.code).to.equal("E_STORAGE");
    expect(err.message).to.equal("something new");
    expect(isErrorCode("E_FROM_THE_FUTURE")).to.equal(false);
    expect(isErrorCode("E_NOT_FOUND")).to.equal(true);
  });

  it("the classes raise the codes of the list", () => {
    for (const err of [
      new NotFoundError("k", "w"),
      new InvalidKeyError("k", "r"),
      new IntegrityError("x"),
      new UsageError("x"),
      new DataIdError("x"),
      new UnknownDatasetTypeError("t", []),
    ]) {
      expect(isErrorCode(err.code), err.name).to.equal(true);
      expect(errorFromCode(err.code, err.message)).to.be.instanceOf(err.constructor as new (...a: never[]) => Error);
    }
  });
});
