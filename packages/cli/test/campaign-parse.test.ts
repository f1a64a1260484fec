import { parseCampaign, CampaignError } from '../src/campaign/parse';
import { parseCsv } from '../src/campaign/csv';

function problemsOf(content: string, file = 'c.csv'): string {
  try {
    parseCampaign(content, file);
  } catch (err) {
    if (err instanceof CampaignError) return err.message;
    throw err;
  }
  throw new Error('expected a CampaignError');
}

describe('CSV reader', () => {
  it('reads quoted fields with commas, "" escapes, newlines, CRLF and a BOM', () => {
    const csv = '\ufeffa,b,c\r\n"x, y","say ""hi""","line1\nline2"\r\n\r\nlast,,\n';
    expect(parseCsv(csv)).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['x, y', 'say "hi"', 'line1\nline2'] },
      { line: 5, cells: ['last', '', ''] },
    ]);
  });

  it('reports an unterminated quote with the line it starts on', () => {
    expect(problemsOf('account,video_url\nalice,"https://x\n')).toContain('line 2: a quoted field is never closed');
  });
});

describe('campaign rows', () => {
  it('turns an Airtable-style export into entries (header spellings, privacy aliases, file paths)', () => {
    const csv = [
      'Account,Video URL,Video File,Photo URLs,Title,Privacy,Mode,Publish At,Idempotency Key',
      'alice,https://cdn.example.com/a.mp4,,,"Hello, #world",public,direct,2026-12-01T09:00:00Z,k1',
      'bob,,clips/b.mp4,,,private,draft,,',
      ',,,"https://cdn.example.com/1.jpg, https://cdn.example.com/2.jpg",Photos,SELF_ONLY,,,',
    ].join('\n');
    const entries = parseCampaign(csv, '/tmp/campaigns/week1.csv');
    expect(entries).toEqual([
      {
        where: 'row 2',
        account: 'alice',
        mode: 'direct',
        media: { type: 'video_url', url: 'https://cdn.example.com/a.mp4' },
        title: 'Hello, #world',
        privacyLevel: 'PUBLIC_TO_EVERYONE',
        publishAt: '2026-12-01T09:00:00Z',
        idempotencyKey: 'k1',
      },
      {
        where: 'row 3',
        account: 'bob',
        mode: 'draft',
        media: { type: 'video_file', path: '/tmp/campaigns/clips/b.mp4' },
        privacyLevel: 'SELF_ONLY',
      },
      {
        where: 'row 4',
        mode: 'direct',
        media: { type: 'photo_urls', urls: ['https://cdn.example.com/1.jpg', 'https://cdn.example.com/2.jpg'] },
        title: 'Photos',
        privacyLevel: 'SELF_ONLY',
      },
    ]);
  });

  it('lists every problem with its row and column', () => {
    const csv = [
      'account,video_url,photo_urls,privacy,mode,publish_at,idempotency_key',
      'alice,cdn.example.com/a.mp4,,public,,,k1',
      'bob,https://cdn.example.com/b.mp4,https://cdn.example.com/1.jpg,public,,,',
      'carol,https://cdn.example.com/c.mp4,,loud,sideways,tomorrow,',
      'dave,https://cdn.example.com/d.mp4,,,,,',
      'erin,https://cdn.example.com/e.mp4,,public,,,k2',
      'fred,https://cdn.example.com/f.mp4,,public,,,k2',
    ].join('\n');
    const message = problemsOf(csv);
    expect(message).toContain('row 2, column video_url: must be an absolute URL');
    expect(message).toContain('row 3, column video_url/photo_urls: give only one of video_url, photo_urls');
    expect(message).toContain('row 4, column privacy: must be one of');
    expect(message).toContain('row 4, column mode: must be direct or draft, got "sideways"');
    expect(message).toContain('row 4, column publish_at: must be an ISO-8601 time');
    expect(message).toContain('row 5, column privacy: is required for direct posts');
    expect(message).toContain('row 7, column idempotency_key: "k2" is already used by row 6');
    expect(message).toMatch(/has 7 problems/);
  });

  it('rejects unknown columns and empty files', () => {
    expect(problemsOf('account,video_url,sound_url\n')).toContain('header, column sound_url: unknown column');
    expect(problemsOf('')).toContain('the file is empty');
    expect(problemsOf('account,video_url\n')).toContain('contains no posts');
  });

  it('reads JSON campaigns with photo arrays and names the item and field', () => {
    const entries = parseCampaign(
      JSON.stringify([{ account: 'a', photo_urls: ['https://x.example.com/1.jpg'], privacy: 'friends', title: 't' }]),
      'c.json',
    );
    expect(entries[0]).toEqual({
      where: 'item 1',
      account: 'a',
      mode: 'direct',
      media: { type: 'photo_urls', urls: ['https://x.example.com/1.jpg'] },
      title: 't',
      privacyLevel: 'MUTUAL_FOLLOW_FRIENDS',
    });
    const message = problemsOf(
      JSON.stringify({
        posts: [{ video_url: 'https://x.example.com/v.mp4', privacy: 'public', location: 'Paris' }, 5],
      }),
      'c.json',
    );
    expect(message).toContain('item 1, column location: unknown field');
    expect(message).toContain('item 2: must be an object');
    expect(problemsOf('{not json', 'c.json')).toContain('file: not valid JSON');
  });

  it('keeps a region for rows the router places', () => {
    const [entry] = parseCampaign('Country,Video URL,Privacy\nUS,https://x.example.com/v.mp4,public\n', 'c.csv');
    expect(entry).toMatchObject({ region: 'US', media: { type: 'video_url' } });
    expect(entry!.account).toBeUndefined();
  });

  it('reads Airtable attachment cells ("name (url), name (url)")', () => {
    const csv = [
      'Account,Video,Photos,Privacy',
      'a,"clip.mp4 (https://dl.airtable.com/x/clip.mp4)",,public',
      'a,,"one.jpg (https://dl.airtable.com/1.jpg),two.jpg (https://dl.airtable.com/2.jpg)",public',
      'a,"a.mp4 (https://dl.airtable.com/a.mp4),b.mp4 (https://dl.airtable.com/b.mp4)",,public',
    ].join('\n');
    expect(problemsOf(csv)).toContain('row 4, column video_url: holds 2 attachments; one video per row');
    const entries = parseCampaign(csv.split('\n').slice(0, 3).join('\n'), 'c.csv');
    expect(entries.map((e) => e.media)).toEqual([
      { type: 'video_url', url: 'https://dl.airtable.com/x/clip.mp4' },
      { type: 'photo_urls', urls: ['https://dl.airtable.com/1.jpg', 'https://dl.airtable.com/2.jpg'] },
    ]);
  });

  it('refuses more than 35 photos', () => {
    const urls = Array.from({ length: 36 }, (_, i) => `https://x.example.com/${i}.jpg`).join(' ');
    expect(problemsOf(`photo_urls,privacy\n"${urls}",public\n`)).toContain(
      'row 2, column photo_urls: at most 35 photos per post, got 36',
    );
  });
});
