import { Serializer } from '@elastic/elasticsearch';
import { ndjsonOf } from '../../src/elasticsearch/bulk-writer';
import { windowRecords } from '../support/records';

describe('Elasticsearch bulk body', () => {
  it('is the text the client itself would send for the same index actions and documents', () => {
    const documents = [...windowRecords(50), { text: 'quote " backslash \\ newline \n é' }];
    const targetOf = (document: object, i = documents.indexOf(document as never)) => ({
      index: i % 2 ? 'geostream-windows-a' : 'geostream-windows-b',
      id: `id-${i}`,
    });
    const operations = documents.flatMap((document) => {
      const { index, id } = targetOf(document);
      return [{ index: { _index: index, _id: id } }, document];
    });
    const text = ndjsonOf(documents, (document) => targetOf(document));
    // the client appends a newline after each operation, the joined text being one
    expect(new Serializer().ndserialize([text])).toBe(new Serializer().ndserialize(operations));
    expect(text.split('\n')).toHaveLength(documents.length * 2);
  });
});
